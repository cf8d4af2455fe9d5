"""How many tasks there are per (key, assignee, state), kept with the task rows: the task lists'
`total` and the dashboard's counters read a few counter rows instead of counting the tasks, so
they cost the same at 1,000 and at 400,000 cases (issue 17).

Every flush that inserts, deletes or changes the key, state or assignee of a `HumanTask` moves
the counters in the same statement batch, on the flush's connection: in the command's
transaction (or savepoint), so a rolled-back command leaves them as they were, and a
concurrent command waits on the counter row until this one commits (PostgreSQL row lock;
SQLite writers are serialised). Within a flush the rows are updated in key order, so two
commands never lock two counters in opposite orders.

`rebuild()` (`flask tasks rebuild-counters`) recomputes them from the task rows: after a bulk
load that bypassed the ORM (the benches' seeding), or to check them (`check()`).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import bindparam, delete, event, func, inspect, select, update
from sqlalchemy.orm import Session

from services.db import adding_upsert, command, db
from services.models import HumanTask, TaskCounter

NOBODY = 0  # assignee_id of the counters of unassigned tasks

_T = TaskCounter.__table__
_BUMP = (update(_T).where(_T.c.key == bindparam("k"), _T.c.assignee_id == bindparam("a"),
                          _T.c.state == bindparam("s"))
         .values(n=_T.c.n + bindparam("d")))


def triple(key, assignee_id, state) -> tuple[str, int, str]:
    """A counter's key (the unassigned tasks' assignee is NOBODY)."""
    return key, assignee_id or NOBODY, state


def _old(task: HumanTask) -> tuple[str, int, str]:
    """The (key, assignee, state) the row had in the database (active history: loaded)."""
    attrs = inspect(task).attrs

    def before(name):
        hist = attrs[name].history
        if hist.deleted:
            return hist.deleted[0]
        return hist.unchanged[0] if hist.unchanged else getattr(task, name)

    return triple(before("key"), before("assignee_id"), before("state"))


def _new(task: HumanTask) -> tuple[str, int, str]:
    return triple(task.key, task.assignee_id, task.state or "open")


def deltas(session: Session) -> Counter:
    """What the pending flush changes in the counters (called before the flush's state is
    reset: `new`, `dirty`, `deleted` and the attributes' history are still pre-flush)."""
    moves: Counter = Counter()
    for obj in session.new:
        if isinstance(obj, HumanTask):
            moves[_new(obj)] += 1
    for obj in session.dirty:
        if isinstance(obj, HumanTask) and obj not in session.deleted:
            old, new = _old(obj), _new(obj)
            if old != new:
                moves[old] -= 1
                moves[new] += 1
    for obj in session.deleted:
        if isinstance(obj, HumanTask):
            moves[_old(obj)] -= 1
    return moves


def apply(connection, moves: Counter) -> None:
    """Add `moves` to the counters: one UPDATE per counter, in key order; an INSERT for a
    counter not there yet (a first task of that key and assignee)."""
    todo = sorted((k, d) for k, d in moves.items() if d)
    if not todo:
        return
    params = [{"k": k, "a": a, "s": s, "d": d} for (k, a, s), d in todo]
    if len(params) == 1:
        missing = params if connection.execute(_BUMP, params[0]).rowcount == 0 else []
    else:
        missing = [p for p in params if connection.execute(_BUMP, p).rowcount == 0]
    if missing:
        # an upsert: two commands may both find the counter missing (two timer workers opening
        # the first tasks of a key at once); the second adds to the row the first inserted
        connection.execute(_upsert(connection), [
            {"key": p["k"], "assignee_id": p["a"], "state": p["s"], "n": p["d"]}
            for p in missing])


def _upsert(connection):
    return adding_upsert(_T, ("key", "assignee_id", "state"), connection.dialect.name)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    moves = deltas(session)
    if any(moves.values()):
        apply(session.connection(), moves)


# ---- reading ---------------------------------------------------------------------------------

def count(*, state: str | None = None, key: str | None = None,
          assignee_id: int | None = None, unassigned: bool = False) -> int:
    """How many tasks match: a sum over the few counter rows of those filters."""
    query = select(func.coalesce(func.sum(TaskCounter.n), 0))
    if state:
        query = query.where(TaskCounter.state == state)
    if key:
        query = query.where(TaskCounter.key == key)
    if unassigned:
        query = query.where(TaskCounter.assignee_id == NOBODY)
    elif assignee_id is not None:
        query = query.where(TaskCounter.assignee_id == assignee_id)
    return int(db.session.scalar(query))


def open_keys() -> list[str]:
    """The keys of the tasks open now, from the counters (a few rows), in key order."""
    return list(db.session.scalars(
        select(TaskCounter.key).where(TaskCounter.state == "open", TaskCounter.n > 0)
        .group_by(TaskCounter.key).order_by(TaskCounter.key)))


# ---- rebuilding ------------------------------------------------------------------------------

def _from_rows():
    assignee = func.coalesce(HumanTask.assignee_id, NOBODY)
    return (select(HumanTask.key, assignee, HumanTask.state, func.count())
            .group_by(HumanTask.key, assignee, HumanTask.state))


def counted() -> dict[tuple[str, int, str], int]:
    """The counters as the task rows give them now (COUNT over every task: the slow way)."""
    return {(k, a, s): n for k, a, s, n in db.session.execute(_from_rows())}


def stored() -> dict[tuple[str, int, str], int]:
    return {(c.key, c.assignee_id, c.state): c.n
            for c in db.session.scalars(select(TaskCounter)) if c.n}


@command
def rebuild() -> int:
    """Recompute every counter from the task rows, in the caller's transaction; returns how
    many counters there are."""
    conn = db.session.connection()
    conn.execute(delete(_T))
    rows = counted()
    if rows:
        conn.execute(_T.insert(), [{"key": k, "assignee_id": a, "state": s, "n": n}
                            for (k, a, s), n in rows.items()])
    return len(rows)


def check() -> dict[tuple[str, int, str], tuple[int, int]]:
    """The counters that differ from the rows: {(key, assignee, state): (stored, counted)}."""
    have, want = stored(), counted()
    return {k: (have.get(k, 0), want.get(k, 0)) for k in sorted(set(have) | set(want))
            if have.get(k, 0) != want.get(k, 0)}
