"""What the login's throttling costs the rate counters in the database (services/rate_counters.py,
web/ui/security.py): the counter accesses and SQL statements of a failed login (in a window
already started, and the one that starts it), a successful one and a refused one (429), and
the time of a failed login, median of N, on SQLite and, given a URL, on PostgreSQL.

    .venv/bin/python -m bench.login_counters [iterations] [postgresql URL]

Each failed login is timed twice, in turn: with the limiter's X-RateLimit-* headers (as before
RATELIMIT_HEADERS_ENABLED was turned off: each limited answer read its counter again) and
without (the setting), so that both meet the same load; the counts are given for both too.
The PostgreSQL database's public schema is dropped and made again (use a scratch database).
The password hash is the test-suite's cheap one: the counters are measured, not scrypt.
(docs/performance.md)
"""

from __future__ import annotations

import collections
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager

from sqlalchemy import event

from bench import common

PASSWORD = "motdepasse-bench"
GROUP = 4  # failures timed in each mode per username and address (its limit is 10)


def fresh_app(url: str):
    from services import users
    from services.db import transaction

    app = common.fresh_app(url, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    with app.app_context(), transaction():
        users.create("agent", "agent", PASSWORD)
    return app


class Meter:
    """Counter accesses (the storage's get, get_expiry and incr), the statements on
    rate_counters, the pool checkouts made by those accesses (on PostgreSQL each one is a
    pre-ping round trip) and the time spent in them."""

    def __init__(self, storage, engine):
        self.storage, self.engine = storage, engine
        self.accesses: collections.Counter = collections.Counter()
        self.statements: collections.Counter = collections.Counter()
        self.checkouts = 0
        self.seconds = 0.0
        self._inside = False

    def reset(self) -> None:
        self.accesses.clear()
        self.statements.clear()
        self.checkouts, self.seconds = 0, 0.0

    @contextmanager
    def installed(self):
        originals = {name: getattr(self.storage, name) for name in ("get", "get_expiry", "incr")}

        def wrap(name, method):
            def measured(*args, **kwargs):
                self.accesses[name] += 1
                self._inside = True
                start = time.perf_counter()
                try:
                    return method(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start
                    self._inside = False
            return measured

        def statement(_conn, _cursor, sql, *_args):
            if "rate_counters" in sql:
                self.statements[sql.split()[0].upper()] += 1

        def checkout(*_args):
            if self._inside:
                self.checkouts += 1

        for name, method in originals.items():
            setattr(self.storage, name, wrap(name, method))
        event.listen(self.engine, "before_cursor_execute", statement)
        event.listen(self.engine.pool, "checkout", checkout)
        try:
            yield self
        finally:
            for name in originals:
                delattr(self.storage, name)  # the class's methods again
            event.remove(self.engine, "before_cursor_execute", statement)
            event.remove(self.engine.pool, "checkout", checkout)


def login(client, username: str, password: str, address: str):
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "bench-token")
    return client.post("/ui/connexion", data={"username": username, "password": password,
                                               "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


MODES = {"with headers (before)": True, "without (after)": False}


def measure(url: str, iterations: int) -> dict:
    from services.db import db
    from web.throttling import limiter

    app = fresh_app(url)
    out: dict = {"database": url.split(":")[0]}
    setting = limiter._headers_enabled  # the bench turns it on and off: Flask-Limiter's own
    with app.app_context():
        meter = Meter(limiter.storage, db.engine)
        client = app.test_client()
        client.get("/ui/connexion")
        with meter.installed():

            def counted(label: str, username: str, password: str, address: str, status: int):
                meter.reset()
                resp = login(client, username, password, address)
                assert resp.status_code == status, (label, resp.status_code)
                out[label] = {"accesses": dict(meter.accesses),
                              "statements": dict(meter.statements),
                              "checkouts": meter.checkouts}

            for n, (mode, headers) in enumerate(MODES.items()):
                limiter._headers_enabled = headers
                user, address = f"u-first-{n}", f"10.1.{n}.1"
                counted(f"{mode}: failed, starts the windows", user, "x", address, 401)
                counted(f"{mode}: failed, in a started window", user, "x", address, 401)
                counted(f"{mode}: succeeded", "agent", PASSWORD, f"10.1.{n}.2", 302)
                for _ in range(8):
                    login(client, user, "x", f"10.1.{n}.3")
                counted(f"{mode}: refused (429)", user, PASSWORD, f"10.1.{n}.3", 429)

            request_ms = {mode: [] for mode in MODES}
            counter_ms = {mode: [] for mode in MODES}
            for i in range(iterations):
                username, address = f"u{i // GROUP}", f"10.2.{i // GROUP // 200}.{i // GROUP % 200}"
                if i % GROUP == 0:  # its windows start untimed: the timed ones are in them
                    assert login(client, username, "x", address).status_code == 401
                for mode, headers in sorted(MODES.items(), reverse=bool(i % 2)):
                    limiter._headers_enabled = headers
                    meter.reset()
                    start = time.perf_counter()
                    resp = login(client, username, "x", address)
                    request_ms[mode].append((time.perf_counter() - start) * 1000)
                    counter_ms[mode].append(meter.seconds * 1000)
                    assert resp.status_code == 401, resp.status_code
        limiter._headers_enabled = setting
        for mode in MODES:
            out[f"{mode}: failed login, median ms"] = round(statistics.median(request_ms[mode]), 2)
            out[f"{mode}: in the counters, median ms"] = round(
                statistics.median(counter_ms[mode]), 2)
        db.session.remove()
        db.engine.dispose()
    return out


def main(iterations: int, pg_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite:///{folder}/login.sqlite"] + ([pg_url] if pg_url else [])
        for url in urls:
            result = measure(url, iterations)
            print(result.pop("database"))
            for key, value in result.items():
                print(f"  {key}: {value}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, sys.argv[2] if len(sys.argv) > 2 else None)
