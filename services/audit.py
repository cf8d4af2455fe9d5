"""The append-only case history (case_event): who did what, when.

An event is never read back or changed by the command that records it, so it is written with
one Core INSERT at once instead of going through the unit of work (whose flush costs far more
than the statement, and which would sort it among the command's other objects)."""

from __future__ import annotations

import decimal

from services import stat_counters
from services.clock import clock
from services.db import db
from services.models import CaseEvent

_INSERT = CaseEvent.__table__.insert()


def record(case, type_: str, actor: str, **detail) -> None:
    """Insert the event now, in the command's transaction (rolled back with it), on the
    session's connection: `Session.execute` would autoflush first, and the event needs nothing
    pending but the case row, which exists already (every caller records on a flushed case).
    For an event the statistics count, their counters read the case's contribution first
    (services/stat_counters)."""
    if type_ in stat_counters.COUNTED_EVENTS:
        stat_counters.touch((case.id,))
    db.session.connection().execute(_INSERT, {"case_id": case.id, "at": clock().now(),
                                              "actor": actor, "type": type_,
                                              "detail": jsonable(detail)})


def jsonable(value, keep_none: bool = False):
    """A JSON-ready copy of `value`: dates as ISO text, decimals as numbers, None dropped from
    mappings unless `keep_none` (an API answer keeps its null fields)."""
    if isinstance(value, dict):
        return {k: jsonable(v, keep_none) for k, v in value.items()
                if keep_none or v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v, keep_none) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == int(value) else float(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
