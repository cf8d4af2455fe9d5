"""The one SQLAlchemy handle, and the unit of work that owns each command's transaction."""

from __future__ import annotations

import datetime as dt
import functools
import re
from contextlib import contextmanager
from contextvars import ContextVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))


class UTCDateTime(TypeDecorator):
    """Aware instants stored as UTC (SQLite has no time zones); always read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every instant must carry its offset")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def configure_engine(engine) -> None:
    """SQLite: WAL, and writers take the write lock when they begin (BEGIN IMMEDIATE), so two
    concurrent commands queue instead of failing late; readers stay concurrent.
    PostgreSQL needs nothing more: commands lock their rows with SELECT ... FOR UPDATE."""

    @event.listens_for(engine, "handle_error")
    def _mark_connection_failure(context):
        # no connection yet: the database could not be reached at all (database_failure)
        if context.connection is None and context.sqlalchemy_exception is not None:
            context.sqlalchemy_exception.while_connecting = True

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def end_read_transaction() -> None:
    """End the session's transaction when it has only read (nothing pending to write): no
    snapshot is kept open meanwhile, and what comes next sees the latest committed state."""
    if db.session().in_transaction() and not (db.session.new or db.session.dirty
                                            or db.session.deleted):
        db.session.commit()


@contextmanager
def transaction():
    """One command, one transaction: commit on success, roll everything back otherwise.

    A read transaction left open by the request (authentication, lookups) is ended first so
    that the command's transaction starts as a writer and sees the latest committed state."""
    end_read_transaction()
    token = _write_intent.set(True)
    try:
        yield db.session
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        _write_intent.reset(token)
        token = None
        # an error that must leave a trace once the command is undone (an incident) writes
        # it now, in a transaction of its own
        after = getattr(exc, "after_rollback", None)
        if callable(after):
            after()
        raise
    finally:
        if token is not None:
            _write_intent.reset(token)


@contextmanager
def own_transaction(engine):
    """A short transaction of its own on a connection of its own, committed when the block
    ends: outside the request's session and any command (what it writes stays written when the
    command rolls back). On SQLite it begins as a writer (BEGIN IMMEDIATE) so that it queues
    for the write lock at once; it must not run inside a command, whose transaction holds that
    lock until it ends."""
    if _write_intent.get():
        # on SQLite it would wait for the write lock its own command holds (busy_timeout, then
        # fail): a programming error, told at once rather than 30 s later
        raise RuntimeError("own_transaction() called inside a command's transaction")
    token = _write_intent.set(True)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        _write_intent.reset(token)


# SQLite reports a statement that names a missing table or column, or does not parse, as an
# OperationalError too: that is the code's (or a missing migration's) fault, not the database's
_SQLITE_STATEMENT_FAULT = re.compile(
    r"^(no such (table|column|function|index)|near \S+: syntax error|table \S+ has no column"
    r"|\S+ syntax error)", re.IGNORECASE)


DATABASE_RETRY_AFTER_SECONDS = 60  # what a 503 for the database tells the client to wait


def first_line(exc: BaseException) -> str:
    """The exception's first line (a driver's message runs on with the statement and its
    parameters, which may hold what a user typed), or its kind: for a log line."""
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` is the database failing (server down, no such file, lock timeout...)
    rather than a bug: the web layer answers 503, not 500."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    driver = getattr(exc, "orig", None)
    if type(driver).__module__ == "sqlite3" and _SQLITE_STATEMENT_FAULT.match(str(driver)):
        return False
    return True


def in_command() -> bool:
    """Whether the caller runs inside a command's transaction (see transaction)."""
    return _write_intent.get()


def command(function):
    """Marks a service function that changes state: one command, one transaction.

    Called from an entrypoint (a route, a CLI command, a batch's loop), it opens the transaction,
    commits when it returns and rolls everything back when it raises. Called from inside another
    command, it is part of that one. Entrypoints never open a transaction themselves."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if in_command():
            return function(*args, **kwargs)
        with transaction():
            return function(*args, **kwargs)
    run.is_command = True
    return run


def many_commands(function):
    """Marks a service function that runs many commands, each in its own transaction (the timer
    sweep, the migration of many cases, a batch of validations): one item's failure leaves the
    others done. It therefore refuses to run inside a command, where the items would share one."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if in_command():
            raise RuntimeError(f"{function.__qualname__} runs each item as its own command; "
                               "it cannot run inside another command")
        return function(*args, **kwargs)
    run.runs_many_commands = True
    return run


def schema_ready() -> bool:
    """Whether the database was migrated (its tables exist)."""
    return inspect(db.engine).has_table("process_versions")


def url_without_password(url: str) -> str:
    """DATABASE_URL as it may be shown: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split(":", 1)[0] + "://…"


def database_failure(exc: BaseException, url: str) -> str | None:
    """The French sentence for a database that cannot be reached, or that failed the work
    (OperationalError: server down, no such file, authentication, lock timeout), naming
    DATABASE_URL without its password and the driver's own words; None for any other error,
    which is a bug and keeps its traceback."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    what = ("connexion impossible" if getattr(exc, "while_connecting", False)
            else "la base de données a refusé l'opération")
    driver = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    detail = f" ({driver[0]})" if driver else ""
    return (f"base de données inaccessible — DATABASE_URL={url_without_password(url)} : "
            f"{what}{detail}.")


def rollback() -> None:
    """Undo what a failed request left in the session, so that its error page can still read."""
    db.session.rollback()


def count_rows(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def stream_rows(query, order, batch: int = 500):
    """Every row of `query` in `order`, read from the database `batch` rows at a time."""
    return db.session.scalars(query.order_by(*order).execution_options(yield_per=batch))


def paginate(query, order, page: int, per_page: int,
             total: int | None = None) -> tuple[list, int]:
    """One page of `query` in `order` (a tuple of ORDER BY terms), and how many rows it has
    (`total` when the caller knows it without counting, e.g. from services/task_counters)."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(*order).limit(per_page)
                               .offset((page - 1) * per_page)).all()
    return items, total


# Namespaces of advisory_lock (PostgreSQL's two-key advisory locks).
# PostgreSQL's INTEGER, the type of every id column: a larger id is refused by the caller (a
# field error, a 404), never sent to the database, which would raise.
MAX_ROW_ID = 2**31 - 1

LOCK_PROCESS_KEY = 1  # deploying a version of one process
LOCK_SANDBOX_CLAIM = 2  # taking a free sandbox for a scenario run


def advisory_lock(namespace: int, name: str) -> None:
    """Serialise, until the end of the current transaction, the commands that lock the same
    (namespace, name), also when there is no row to lock yet (a first version, a free slot).
    PostgreSQL: pg_advisory_xact_lock; SQLite: writers are serialised already (BEGIN
    IMMEDIATE)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:name))"),
                           {"ns": namespace, "name": name})


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern that matches `text` anywhere, as typed: its `%`, `_` and `\\` are literal
    (use with `.like(pattern, escape=LIKE_ESCAPE)`). User text in a raw pattern made `%` match
    every row."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


_ADDING_UPSERTS: dict = {}


def dialect_insert(table, dialect: str):
    """The dialect's INSERT, which has `on_conflict_do_update` (PostgreSQL and SQLite alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def adding_upsert(table, index_elements: tuple[str, ...], dialect: str):
    """`INSERT … ON CONFLICT (index_elements) DO UPDATE SET n = n + excluded.n` for a counter
    table: two commands that both find a counter missing add up instead of one failing. Built
    once per table and dialect (building one costs more than running it)."""
    key = (table.name, index_elements, dialect)
    stmt = _ADDING_UPSERTS.get(key)
    if stmt is None:
        base = dialect_insert(table, dialect)
        stmt = _ADDING_UPSERTS[key] = base.on_conflict_do_update(
            index_elements=list(index_elements), set_={"n": table.c.n + base.excluded.n})
    return stmt
