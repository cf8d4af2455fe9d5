"""Batch work on the clerks' tasklist: the attestations to verify, listed with the facts a clerk
checks, and validated together. Each case stays one command: the same service as a single
completion (tasks.complete), in its own transaction, with its own history event; a case refused
(claimed by another clerk, already completed, the service refuses it) is reported with its
French reason and the others go through. Reviews (examen_manuel) and referrals
(signalement_parquet) are not batch work: they stay one by one on the case page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from services import outcome, sessions, statuses, tasks
from services.db import db, many_commands, paginate
from services.errors import ServiceError
from services.models import Case, CourseSession, Enrollment, HumanTask

KEY = statuses.TASK_VERIFICATION_ATTESTATION
DECISION = {"decision": "valider"}
MAX_BATCH = 50  # tasks in one batch: one page of the list

# a row's task, its case, holder and assignee, and the courses the facts read
ROW = (joinedload(HumanTask.case, innerjoin=True).joinedload(Case.licence, innerjoin=True),
       joinedload(HumanTask.assignee),
       joinedload(HumanTask.case, innerjoin=True).selectinload(Case.enrollments)
       .joinedload(Enrollment.session, innerjoin=True)
       .joinedload(CourseSession.centre, innerjoin=True))


def to_verify(page: int = 1, per_page: int = MAX_BATCH):
    """The open verification tasks, the oldest crediting deadline first (R39, D4)."""
    query = select(HumanTask).options(*ROW).where(HumanTask.state == "open",
                                                  HumanTask.key == KEY)
    return paginate(query, (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id),
                    page, per_page)


def facts(task: HumanTask) -> dict:
    """What a clerk checks before validating: the course, its attendance and attestation, the
    4-month deadline against the course's last day (R19), the case's flags."""
    case = task.case
    enr = outcome.pending_course(case)
    session = enr.session if enr is not None else None
    return {
        "case": case, "course": enr, "session": session,
        "within_deadline": (None if session is None or case.deadline is None
                            else not sessions.too_late_for(session, case.deadline)),
        "flags": list(case.flags or []),
    }


@dataclass
class Result:
    task_id: int
    reference: str | None
    case_id: int | None
    ok: bool
    reason: str = ""


@many_commands
def validate(task_ids: list[int], user) -> list[Result]:
    """Validate each attestation as its own command: a refusal rolls back that case only."""
    results = []
    for task_id in task_ids:
        task = db.session.get(HumanTask, task_id)
        if task is None:
            results.append(Result(task_id, None, None, False,
                                  f"Aucune tâche n° {task_id}."))
            continue
        reference, case_id = task.case.reference, task.case_id
        if task.key != KEY:
            results.append(Result(task_id, reference, case_id, False,
                                  "Cette tâche n'est pas une vérification d'attestation : "
                                  "elle se traite une à une, depuis le dossier."))
            continue
        try:
            tasks.complete(task_id, dict(DECISION), user)
        except ServiceError as exc:
            results.append(Result(task_id, reference, case_id, False, exc.detail))
        else:
            results.append(Result(task_id, reference, case_id, True))
    return results
