"""The rate limiter's counters in the application's database (RATELIMIT_STORAGE_URI
`database://`, the default): failed logins per username and per address, a centre's refused
enrolments (web/ui/security.py, web/throttling.py). Every web process, and the next one after a
restart, reads and adds to the same counts; in each process's memory, N gunicorn workers gave
an attacker N times the limit.

A `limits` storage for the fixed-window strategy, Flask-Limiter's (the project sets no other):
a window is one row (key, hits, end); `incr` adds to it, or starts a new window when the row's
has ended, in one atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING (PostgreSQL and SQLite
alike: two processes that miss the row at once add up). Every access runs on a connection and
in a short transaction of its own (on PostgreSQL each statement is one), never in the request's
session nor in a command: a failure is counted even when the request's command rolls back.
Each write that starts a window also deletes a few ended ones (by the index on their end), so
the table needs no cron.

When the database fails, reads raise and Flask-Limiter counts in the process's memory meanwhile
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) until `check` sees the database again; a failed `incr`
(which Flask-Limiter runs after the response, where an error would be a 500) is logged and
not counted."""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable
from contextlib import contextmanager

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.exc import SQLAlchemyError

from services import clock
from services.db import db, dialect_insert, first_line, own_transaction
from services.models import RateCounter

log = logging.getLogger(__name__)

COUNTERS = RateCounter.__table__
PURGE_BATCH = 100  # ended windows deleted by one write, at most
MAX_KEY = 200  # longer keys (a username is typed by anyone), or odd ones, are stored hashed
PAST_ANY_LIMIT = sys.maxsize


def _real_seconds() -> float:
    return clock.system_now().timestamp()


def stored_key(key: str) -> str:
    """The key as stored: itself when short and plain ASCII, otherwise its SHA-256 (a key from
    a username of a megabyte, or with a NUL or accents, fits the column on both databases)."""
    if len(key) <= MAX_KEY and key.isascii() and key.isprintable():
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest}"


class DatabaseCounters(Storage):
    """`limits` storage in the application's database. `engine`: the current Flask app's when
    not given; `now`: real-time seconds since the epoch (tests move it)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, engine=None,
                 now: Callable[[], float] | None = None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine = engine
        self.now = now or _real_seconds

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @property
    def engine(self):
        return self._engine if self._engine is not None else db.engine

    def _now_ms(self) -> int:
        return int(self.now() * 1000)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """The window's count after adding `amount`; a new window of `expiry` seconds when there
        is none or it has ended."""
        now = self._now_ms()
        end = now + int(expiry * 1000)
        ended = COUNTERS.c.expires_ms <= now
        try:
            with self._connection(write=True) as conn:
                base = dialect_insert(COUNTERS, conn.dialect.name)
                upsert = base.values(key=stored_key(key), hits=amount, expires_ms=end) \
                    .on_conflict_do_update(index_elements=["key"], set_={
                        "hits": case((ended, amount), else_=COUNTERS.c.hits + amount),
                        "expires_ms": case((ended, end), else_=COUNTERS.c.expires_ms)}) \
                    .returning(COUNTERS.c.hits)
                hits = conn.execute(upsert).scalar_one()
                if hits == amount:  # a new window: the table grows, ended ones go
                    self._purge(conn, now)
                return hits
        except SQLAlchemyError as exc:
            # Flask-Limiter counts after the response is made: raising would turn the user's
            # answer into a 500. Used as a direct hit, the past-any-limit count refuses. (The
            # key is not logged: it holds what was typed as a username.)
            log.warning("rate counter not counted: database unavailable (%s)", first_line(exc))
            return PAST_ANY_LIMIT

    @staticmethod
    def _purge(conn, now: int) -> None:
        """A few ended windows (PostgreSQL: rows another write holds are left for later)."""
        ended = select(COUNTERS.c.key).where(COUNTERS.c.expires_ms <= now) \
            .limit(PURGE_BATCH).with_for_update(skip_locked=True)
        conn.execute(delete(COUNTERS).where(COUNTERS.c.key.in_(ended)))

    @contextmanager
    def _connection(self, write: bool):
        """A connection of the pool, outside the request's session. PostgreSQL: each statement
        its own transaction (autocommit; the upsert is atomic by itself), one round trip where
        BEGIN ... COMMIT took three. SQLite (no round trips): a write transaction of its own."""
        engine = self.engine
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
        elif write:
            with own_transaction(engine) as conn:
                yield conn
        else:
            with engine.connect() as conn:
                yield conn

    def _current(self, key: str):
        with self._connection(write=False) as conn:
            return conn.execute(
                select(COUNTERS.c.hits, COUNTERS.c.expires_ms)
                .where(COUNTERS.c.key == stored_key(key),
                       COUNTERS.c.expires_ms > self._now_ms())).first()

    def get(self, key: str) -> int:
        row = self._current(key)
        return row.hits if row is not None else 0

    def get_expiry(self, key: str) -> float:
        """When the window ends (epoch seconds); now when there is none."""
        row = self._current(key)
        return row.expires_ms / 1000 if row is not None else self.now()

    def check(self) -> bool:
        """Whether the database answers (Flask-Limiter asks, in memory meanwhile, until yes)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with own_transaction(self.engine) as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with own_transaction(self.engine) as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == stored_key(key)))
