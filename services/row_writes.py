"""Rows written past the unit of work (issue 17): a flush of SQLAlchemy's unit of work costs
about 1 to 2 ms whatever it writes, so a command's hot rows are written by Core statements on
the session's connection, in the command's transaction, the loaded objects kept in step without
becoming dirty. A command that leaves the unit of work nothing at all to flush saves that cost
(docs/architecture.md « Rows written past the unit of work », docs/performance.md).

What the unit of work's hooks would have done is the caller's: the task counters
(`task_counters.apply`) and the statistics' marks (`stat_counters.touch`, before the change).
A rollback, of the transaction or of a savepoint, undoes in memory what was written here."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, event, inspect, update
from sqlalchemy.orm import MANYTOONE, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from services.db import db

_CORE_WRITTEN = "core_written_rows"
_UPDATES: dict = {}  # (table, expected columns) -> the UPDATE statement, built once
_STALE: dict = {}  # (mapper, written columns) -> the many-to-ones they point, found once
_INSERTS: dict = {}  # mapper -> what an INSERT of it writes, found once


def update_row(obj, values: dict, expect: dict | None = None) -> bool:
    """Write `values` (column name -> value) to the loaded row `obj` with one Core UPDATE by
    primary key on the session's connection, and keep `obj` in step without making it dirty:
    a command that changes its rows this way leaves the unit of work nothing to flush, and
    saves its fixed cost. `expect` (column -> value) adds conditions, e.g. an optimistic
    version check; False when no row matched them (then nothing changed, in the database or
    in memory).

    The unit of work's hooks (services/task_counters, services/stat_counters) do not see these
    changes: the caller does their part. A change of `obj` still pending in the unit of work
    is flushed as usual, on top of this one.

    A rollback, of the transaction or of a savepoint, expires the objects written here (see
    `_undo_core_written`): their values in memory were never the unit of work's to undo."""
    session = db.session()
    state = inspect(obj)
    table = obj.__table__
    key = (table.name, tuple(sorted(expect or ())))
    stmt = _UPDATES.get(key)
    if stmt is None:
        (pk,) = table.primary_key.columns
        stmt = _UPDATES[key] = update(table).where(and_(
            pk == bindparam("row_pk"),
            *(table.c[name] == bindparam(f"row_expect_{name}") for name in key[1])))
    params = {"row_pk": state.identity[0], **values}
    params.update({f"row_expect_{name}": value for name, value in (expect or {}).items()})
    if session.connection().execute(stmt, params).rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(obj, name, value)
    # a many-to-one loaded through a column written here now points elsewhere: read it again
    stale = [name for name in _pointed(state.mapper, tuple(values)) if name not in state.unloaded]
    if stale:
        session.expire(obj, stale)
    _track(session, obj, inserted=False)
    return True


def _pointed(mapper, columns: tuple) -> tuple:
    """The many-to-one relationships of `mapper` that these columns point."""
    key = (mapper, columns)
    found = _STALE.get(key)
    if found is None:
        found = _STALE[key] = tuple(
            rel.key for rel in mapper.relationships
            if rel.direction is MANYTOONE and any(c.key in columns for c in rel.local_columns))
    return found


def insert_row(obj) -> None:
    """Insert the new object `obj` with one Core INSERT on the session's connection and make it
    persistent and clean, as if it had been read: no flush (see `update_row`). A column it
    was not given takes its Python default, or NULL; one with a server default is read when
    first used. Give it its foreign keys, not its relationships: assigning a relationship
    would put it in a parent's collection, whose flush would insert it a second time (the
    caller sets what it needs with `keep_in_step`). The caller also does what the unit of
    work's hooks would (the statistics' marks, before)."""
    session = db.session()
    state = inspect(obj)
    columns, pk_key = _insert_plan(state.mapper)
    values = {}
    for key, name, default in columns:
        value = obj.__dict__.get(key, default)
        if value is _OMIT:
            continue
        if value is _COMPUTED:
            raise ValueError(f"insert_row: {obj.__table__.name}.{name} has a computed default")
        values[name] = value
        set_committed_value(obj, key, value)
    (row_id,) = session.connection().execute(obj.__table__.insert(), values).inserted_primary_key
    set_committed_value(obj, pk_key, row_id)
    make_transient_to_detached(obj)
    session.add(obj)
    _track(session, obj, inserted=True)


_OMIT, _COMPUTED = object(), object()  # a column left to the database; a callable default


def _insert_plan(mapper) -> tuple:
    """(attribute, column, value when not given) of each column, and the primary key's
    attribute: the primary key and server defaults are the database's."""
    plan = _INSERTS.get(mapper)
    if plan is None:
        columns = []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key or column.server_default is not None:
                default = _OMIT
            elif column.default is None:
                default = None
            else:
                default = column.default.arg if column.default.is_scalar else _COMPUTED
            columns.append((prop.key, column.name, default))
        (pk,) = mapper.primary_key
        plan = _INSERTS[mapper] = (tuple(columns), mapper.get_property_by_column(pk).key)
    return plan


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
