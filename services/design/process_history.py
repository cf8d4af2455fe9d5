"""The append-only history of process definitions (process_events): who saved, tested,
deployed (forced or not) or migrated what, when."""

from __future__ import annotations

from sqlalchemy import select

from services.audit import jsonable
from services.clock import clock
from services.db import command, db, paginate
from services.models import ProcessEvent

DRAFT_SAVED = "brouillon_enregistre"
SCENARIOS_TESTED = "scenarios_testes"
VERSION_DEPLOYED = "version_deployee"
FORCED_DEPLOYMENT = "deploiement_force"
CASES_MIGRATED = "migration_dossiers"
TYPES = (DRAFT_SAVED, SCENARIOS_TESTED, VERSION_DEPLOYED, FORCED_DEPLOYMENT, CASES_MIGRATED)


def record(key: str, type_: str, actor: str, *, version: int | None = None,
           draft: int | None = None, **detail) -> ProcessEvent:
    if type_ not in TYPES:
        raise ValueError(f"unknown process event type {type_!r}")
    event = ProcessEvent(key=key, at=clock().now(), actor=actor, type=type_, version=version,
                         draft_id=draft, detail=jsonable(detail))
    db.session.add(event)
    return event


# the summary of a batch (each item was its own command) is a command of its own
record_command = command(record)


def list_events(key: str, page: int, per_page: int):
    return paginate(select(ProcessEvent).where(ProcessEvent.key == key), (ProcessEvent.id,),
                    page, per_page)
