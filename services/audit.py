"""The append-only case history (case_event): who did what, when."""

from __future__ import annotations

from services.clock import clock
from services.db import db
from services.models import CaseEvent


def record(case, type_: str, actor: str, **detail) -> CaseEvent:
    event = CaseEvent(case_id=case.id, at=clock().now(), actor=actor, type=type_,
                      detail=jsonable(detail))
    db.session.add(event)
    return event


def jsonable(value):
    """A JSON-ready copy of `value` (dates as ISO text, None dropped from mappings)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
