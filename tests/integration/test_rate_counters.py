"""The throttling counters in the application's database (docs/security.md, « Sessions, secret
key and login »; services/rate_counters.py): failed logins and a centre's refused enrolments
are counted once for every web process and survive a restart; the window ends on time; counts
from concurrent processes add up exactly; a rolled-back command does not un-count; a database
that does not answer gives a French 503, never a 500."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, select, text

from app import create_app
from services.db import configure_engine, db, transaction
from services.models import RateCounter
from services.rate_counters import PAST_ANY_LIMIT, DatabaseCounters, stored_key
from tests.conftest import FAST
from tests.integration.test_enrolment_throttling import (  # noqa: F401 - a fixture
    LIMIT,
    UNKNOWN,
    _enrol,
    world,
)
from tests.query_count import counted
from tests.threads import side_by_side
from tests.ui_support import UiClient
from tests.ui_support import text as page_text
from web.throttling import limiter

PASSWORD = "secret123"
LOGIN_LIMIT = 10  # LOGIN_LIMIT_PER_USERNAME: 10 per 15 minutes
WINDOW = 15 * 60


def _attempt(client: UiClient, username: str, password: str = "mauvais"):
    return client.post("/ui/connexion", {"username": username, "password": password})


def _counters(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return dict(conn.execute(select(RateCounter.key, RateCounter.hits)).all())


def _other_app(database_url):
    """Another web process on the same database (its own engine and connections); its start
    gives the process's limiter a new store, as a restart would."""
    return create_app({"DATABASE_URL": database_url, "CLOCK_MODE": "manual",
                       "SECRET_KEY": "test", "TESTING": True, **FAST})


def test_failed_logins_through_two_processes_share_one_count(api, database_url):
    """Ten failures through process A, the eleventh through process B is refused: in each
    process's memory, B (or A restarted) started again from zero."""
    client_a = UiClient(api.app)
    client_a.get("/ui/connexion")
    assert [_attempt(client_a, "agent").status_code for _ in range(LOGIN_LIMIT)] \
        == [401] * LOGIN_LIMIT
    other = _other_app(database_url)
    try:
        client_b = UiClient(other)
        client_b.get("/ui/connexion")
        resp = _attempt(client_b, "agent", PASSWORD)
        assert resp.status_code == 429, page_text(resp)[:300]
        assert "Trop de tentatives de connexion" in page_text(resp)
        assert 0 < int(resp.headers["Retry-After"]) <= WINDOW
    finally:
        with other.app_context():
            db.engine.dispose()
    counts = _counters(api.app)
    assert [n for key, n in counts.items() if "username:agent/" in key] == [LOGIN_LIMIT]


def test_the_login_window_ends_after_15_minutes(api):
    client = UiClient(api.app)
    client.get("/ui/connexion")
    for _ in range(LOGIN_LIMIT):
        assert _attempt(client, "agent").status_code == 401
    assert _attempt(client, "agent", PASSWORD).status_code == 429
    storage = limiter.storage
    start = storage.now()
    storage.now = lambda: start + WINDOW - 5  # not yet
    assert _attempt(client, "agent", PASSWORD).status_code == 429
    storage.now = lambda: start + WINDOW + 1  # the window has ended: a new one starts
    assert _attempt(client, "agent").status_code == 401
    assert [n for key, n in _counters(api.app).items() if "username:agent/" in key] == [1]
    assert UiClient(api.app).login("agent")


def _counter_statements(seen) -> dict[str, int]:
    """The statements on the counters' table among `seen` (tests.query_count), by kind."""
    kinds: dict[str, int] = {}
    for statement, times in seen.items():
        if "rate_counters" in statement:
            kind = statement.split()[0].upper()
            kinds[kind] = kinds.get(kind, 0) + times
    return kinds


def test_what_a_login_costs_the_counters(api):
    """Before the view, Flask-Limiter reads the count of each of the login's two limits; after a
    failure, it adds one to each (one upsert each, RETURNING the count). Nothing more: the
    X-RateLimit-* headers read every count again (a failed login cost 6 statements, a
    successful one 4). A refused login reads the count that refuses it and its window's end
    (Retry-After); a window's first failure also deletes ended windows."""
    client = UiClient(api.app)
    client.get("/ui/connexion")
    with counted() as seen:
        assert _attempt(client, "agent").status_code == 401
    assert _counter_statements(seen) == {"SELECT": 2, "INSERT": 2, "DELETE": 2}
    with counted() as seen:
        resp = _attempt(client, "agent")
    assert resp.status_code == 401
    assert not [name for name in resp.headers.keys() if name.startswith("X-RateLimit")]
    assert _counter_statements(seen) == {"SELECT": 2, "INSERT": 2}
    with counted() as seen:
        UiClient(api.app).login("agent")
    assert _counter_statements(seen) == {"SELECT": 2}
    for _ in range(LOGIN_LIMIT - 2):
        assert _attempt(client, "agent").status_code == 401
    with counted() as seen:
        resp = _attempt(client, "agent", PASSWORD)
    assert resp.status_code == 429 and 0 < int(resp.headers["Retry-After"]) <= WINDOW
    assert _counter_statements(seen) == {"SELECT": 2}


def test_a_refused_enrolment_stays_counted_though_its_command_rolled_back(world):  # noqa: F811
    """The refusal (422) is a command that rolled back; its count was written after it, in a
    transaction of its own."""
    api, session, _cases = world
    for number in UNKNOWN[:LIMIT]:
        assert _enrol(api, session, number).status_code == 422
    counts = _counters(api.app)
    assert [n for key, n in counts.items() if "enrolment_refusals" in key] == [LIMIT]
    assert _enrol(api, session, UNKNOWN[LIMIT]).status_code == 429


def test_a_long_or_odd_username_is_counted_under_its_digest(api):
    """A username is anyone's text: a long one, or one with accents, fits the key column on
    both databases (hashed), and its failures are counted like any other."""
    client = UiClient(api.app)
    client.get("/ui/connexion")
    for username in ("x" * 100_000, "Agénor 👀"):
        for _ in range(LOGIN_LIMIT):
            assert _attempt(client, username).status_code == 401
        assert _attempt(client, username).status_code == 429
    keys = [k for k in _counters(api.app) if "login_limit_per_username" in k
            or k.startswith("sha256:")]
    assert all(len(k) <= 255 for k in keys)
    assert sum(k.startswith("sha256:") for k in keys) == 2
    assert stored_key("username:agent") == "username:agent"
    assert stored_key("a\x00b").startswith("sha256:")


# ---- the storage itself ----------------------------------------------------------------------

@pytest.fixture
def engines(app, database_url):
    """Two engines on the test database, as two processes would have."""
    made = []
    for _ in range(2):
        engine = create_engine(database_url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        configure_engine(engine)
        made.append(engine)
    yield made
    for engine in made:
        engine.dispose()


def test_two_engines_add_to_one_window(engines):
    clock = [1_000_000.0]
    a, b = (DatabaseCounters(engine=e, now=lambda: clock[0]) for e in engines)
    assert [a.incr("k", 60), b.incr("k", 60), a.incr("k", 60, amount=2)] == [1, 2, 4]
    assert b.get("k") == 4 and b.get_expiry("k") == 1_000_060.0
    clock[0] += 59.9
    assert a.get("k") == 4
    clock[0] += 0.1  # the window's end: counted from zero again, in a new window
    assert a.get("k") == 0 and a.get_expiry("k") == clock[0]
    assert b.incr("k", 60) == 1 and a.get_expiry("k") == clock[0] + 60


def test_concurrent_increments_count_exactly(app, engines):
    storage = DatabaseCounters(engine=engines[0])
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work():
        start.wait()
        got = [storage.incr("concurrent", 900) for _ in range(25)]
        with lock:
            seen.extend(got)

    side_by_side(app, *[work] * 4, timeout=120)
    # every increment got its own count: none lost, none counted twice
    assert sorted(seen) == list(range(1, 101))
    assert DatabaseCounters(engine=engines[1]).get("concurrent") == 100


def test_a_write_deletes_the_ended_windows(engines):
    clock = [1_000_000.0]
    storage = DatabaseCounters(engine=engines[0], now=lambda: clock[0])
    for key in ("old-1", "old-2"):
        storage.incr(key, 60)
    storage.incr("lasting", 3600)
    clock[0] += 61
    storage.incr("new", 60)
    with engines[1].connect() as conn:
        keys = set(conn.execute(select(RateCounter.key)).scalars())
    assert keys == {"lasting", "new"}


def test_a_counter_written_during_a_command_survives_its_rollback(app, engines):
    """PostgreSQL: a command holds no lock the counter needs. (On SQLite a counter is never
    written inside a command, whose transaction holds the write lock: Flask-Limiter counts
    before and after the view, and own_transaction says so.)"""
    if engines[0].dialect.name != "postgresql":
        pytest.skip("PostgreSQL: a SQLite command holds the one write lock")
    storage = DatabaseCounters(engine=engines[1])
    with app.app_context(), pytest.raises(RuntimeError):
        with transaction():
            db.session.execute(text("SELECT 1"))
            assert storage.incr("during", 60) == 1
            raise RuntimeError("the command fails")
    assert storage.get("during") == 1


# ---- a database that does not answer ----------------------------------------------------------

def _unreachable_url(database_url: str, tmp_path) -> str:
    if database_url.startswith("postgresql"):
        return "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite'}"


@pytest.fixture
def limiter_memory_reset():
    """The process's limiter remembers that its store failed (and counts in memory until it
    answers again): the next tests get it back as it was."""
    yield
    limiter._storage_dead = False


def test_a_login_without_database_gets_a_french_503(database_url, tmp_path,
                                                    limiter_memory_reset):
    """The users live in the database: no login is possible, and the answer says why; the
    counters go to the process's memory meanwhile (the limiter's fallback), never a 500."""
    down = create_app({"DATABASE_URL": _unreachable_url(database_url, tmp_path),
                       "CLOCK_MODE": "system", "SECRET_KEY": "test", **FAST})
    client = down.test_client()
    page = client.get("/ui/connexion")
    assert page.status_code == 200
    with client.session_transaction() as session:
        token = session["csrf_token"]
    statuses = []
    for _ in range(3):
        resp = client.post("/ui/connexion", data={"username": "agent", "password": "x",
                                                   "csrf_token": token})
        statuses.append(resp.status_code)
    assert statuses == [503] * 3
    body = page_text(resp)
    assert "La base de données ne répond pas" in body, body[:3000]
    assert 0 < int(resp.headers["Retry-After"]) <= 60
    api = client.get("/api/v1/licences/120175200501",
                     headers={"Authorization": "Bearer x"})
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert "base de données ne répond pas" in api.get_json()["detail"]


def test_a_failed_count_is_logged_not_raised(tmp_path, monkeypatch):
    """Flask-Limiter counts after the response is made, where an error would be a 500.
    (The log is watched directly: Alembic's fileConfig disables the loggers made before it.)"""
    from services import rate_counters

    warnings = []
    monkeypatch.setattr(rate_counters.log, "warning", lambda *args: warnings.append(args))
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite'}")
    storage = DatabaseCounters(engine=engine)
    assert storage.incr("k", 60) == PAST_ANY_LIMIT
    assert storage.check() is False
    assert len(warnings) == 1 and "not counted" in warnings[0][0]


# ---- the migration ----------------------------------------------------------------------------

def test_the_migration_goes_down_and_up(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    with app.app_context():
        db.session.remove()
        downgrade(revision="search_folded")
        assert "rate_counters" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "rate_counters" in inspect(db.engine).get_table_names()
        assert DatabaseCounters().incr("after-upgrade", 60) == 1
