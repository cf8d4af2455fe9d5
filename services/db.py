"""The one SQLAlchemy handle, and the unit of work that owns each command's transaction."""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import contextmanager
from contextvars import ContextVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    DateTime,
    MetaData,
    and_,
    bindparam,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import MANYTOONE, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
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
    PostgreSQL needs nothing here: commands lock their rows with SELECT ... FOR UPDATE."""
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


@contextmanager
def transaction():
    """One command, one transaction: commit on success, roll everything back otherwise.

    A read transaction left open by the request (authentication, lookups) is ended first so
    that the command's transaction starts as a writer and sees the latest committed state."""
    if db.session().in_transaction() and not (db.session.new or db.session.dirty
                                            or db.session.deleted):
        db.session.commit()
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


# ---- rows written past the unit of work ------------------------------------------------------

_ROW_UPDATES: dict = {}
_CORE_WRITTEN = "core_written_rows"


def update_row(obj, values: dict, expect: dict | None = None) -> bool:
    """Write `values` (column name -> value) to the loaded row `obj` with one Core UPDATE by
    primary key on the session's connection, and keep `obj` in step without making it dirty:
    a command that changes its rows this way leaves the unit of work nothing to flush, and
    saves its fixed cost (docs/performance.md, issue 17). `expect` (column -> value) adds
    conditions, e.g. an optimistic version check; False when no row matched them (then
    nothing changed, in the database or in memory).

    The unit of work's hooks (services/task_counters, services/stat_counters) do not see these
    changes: the caller does their part. A change of `obj` still pending in the unit of work
    is flushed as usual, on top of this one.

    A rollback, of the transaction or of a savepoint, expires the objects written here (see
    `_undo_core_written`): their values in memory were never the unit of work's to undo."""
    session = db.session()
    table = obj.__table__
    key = (table.name, tuple(sorted(expect or ())))
    stmt = _ROW_UPDATES.get(key)
    if stmt is None:
        (pk,) = table.primary_key.columns
        stmt = _ROW_UPDATES[key] = update(table).where(and_(
            pk == bindparam("row_pk"),
            *(table.c[name] == bindparam(f"row_expect_{name}") for name in key[1])))
    (pk_attr,) = table.primary_key.columns
    params = {"row_pk": getattr(obj, pk_attr.key), **values}
    params.update({f"row_expect_{name}": value for name, value in (expect or {}).items()})
    if session.connection().execute(stmt, params).rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(obj, name, value)
    # a many-to-one loaded through a column written here now points elsewhere: read it again
    state = inspect(obj)
    stale = [rel.key for rel in state.mapper.relationships
             if rel.direction is MANYTOONE and rel.key not in state.unloaded
             and any(column.key in values for column in rel.local_columns)]
    if stale:
        session.expire(obj, stale)
    _track(session, obj, inserted=False)
    return True


def insert_row(obj) -> None:
    """Insert the new object `obj` with one Core INSERT on the session's connection and make it
    persistent and clean, as if it had been read: no flush (see `update_row`). A column it
    was not given takes its Python default, or NULL; one with a server default is read when
    first used. Give it its foreign keys, not its relationships: assigning a relationship
    would put it in a parent's collection, whose flush would insert it a second time (the
    caller sets what it needs with `set_committed_value`). The caller also does what the
    unit of work's hooks would (the statistics' marks, before)."""
    session = db.session()
    state = inspect(obj)
    table = obj.__table__
    values = {}
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if prop.key in obj.__dict__:
            values[column.name] = obj.__dict__[prop.key]
        elif column.primary_key or column.server_default is not None:
            continue
        elif column.default is not None and column.default.is_scalar:
            values[column.name] = column.default.arg
        elif column.default is None:
            values[column.name] = None
        else:
            raise ValueError(f"insert_row: {table.name}.{column.name} has a computed default")
        set_committed_value(obj, prop.key, values[column.name])
    (key,) = session.connection().execute(table.insert(), values).inserted_primary_key
    (pk,) = state.mapper.primary_key
    set_committed_value(obj, state.mapper.get_property_by_column(pk).key, key)
    make_transient_to_detached(obj)
    session.add(obj)
    _track(session, obj, inserted=True)


def keep_in_step(obj, key: str, value) -> None:
    """Set what `obj` holds in memory for `key` (a collection a row written past the unit of
    work joined, a relationship) without making it dirty; a rollback expires it."""
    set_committed_value(obj, key, value)
    _track(db.session(), obj, inserted=False)


def _track(session, obj, inserted: bool) -> None:
    """Remember, with the transaction or savepoint it was written in, an object whose row was
    written past the unit of work: its rollback must undo what `obj` holds in memory."""
    current = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_CORE_WRITTEN, []).append((obj, current, inserted))


def _within(transaction, ended) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _undo_core_written(session, ended) -> None:
    """The rows written in the rolled-back transaction or savepoint (or in one released into
    it) are gone or back as they were: an inserted object leaves the session, a changed one is
    read again when next used. What was written before a savepoint stays."""
    kept = []
    for obj, written_in, inserted in session.info.pop(_CORE_WRITTEN, ()):
        if not _within(written_in, ended):
            kept.append((obj, written_in, inserted))
        elif obj in session:
            if inserted:
                session.expunge(obj)
            else:
                session.expire(obj)
    if kept:
        session.info[_CORE_WRITTEN] = kept


@event.listens_for(Session, "after_commit")
def _forget_core_written(session) -> None:
    # the transaction's commit, not a savepoint's release: that transaction may still roll back
    # (the root transaction ends before its rollback's hook above runs: not a place to forget)
    if not session.in_nested_transaction():
        session.info.pop(_CORE_WRITTEN, None)
