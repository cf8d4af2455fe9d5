"""Reminders: a non-interrupting boundary timer a designer draws on a user task
(docs/process-bundle.md). When it fires the task stays open; the task is flagged (how many
reminders, the last one's time), the case shows it among its flags, and the history says so.
A reminder with a `groupe` hands the task to that group (an escalation): the task leaves its
clerk if the clerk is not in that group."""

from __future__ import annotations

from sqlalchemy import select

from services import audit, groups
from services.clock import clock
from services.db import db
from services.models import Case, HumanTask

EVENT = "relance"
FLAG_RULE = "relance"


def record(case: Case, fired: list[tuple[str, str, str | None]], actor: str) -> None:
    """Flag the open tasks the fired reminders (boundary timer id, user task key, group or
    None) were drawn on, in the caller's transaction."""
    if not fired:
        return
    now = clock().now()
    keys = {task for _, task, _ in fired}
    rows = db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.state == "open", HumanTask.key.in_(keys))).all()
    for timer, key, group in fired:
        for row in rows:
            if row.key == key:
                row.reminders = (row.reminders or 0) + 1
                row.reminded_at = now
                if group:
                    _hand_to(row, group)
        detail = {"group": group} if group else {}
        audit.record(case, EVENT, actor, task=key, timer=timer, **detail)


def _hand_to(row: HumanTask, group: str) -> None:
    row.group_code = group
    if row.assignee is not None and group not in groups.user_codes(row.assignee):
        row.assignee_id = None


def flags(tasks: list[HumanTask]) -> list[dict]:
    """The case's flags for its open tasks that were reminded."""
    return [{"rule": FLAG_RULE,
             "message": f"Relance : la tâche « {t.title} » attend encore "
                        f"({t.reminders} relance{'s' if t.reminders > 1 else ''})."}
            for t in tasks if t.reminders]
