"""Read-only views for the browser UI: dashboard counts, filtered tasklist, ledger series and
the state of a case's BPMN diagram. Nothing here writes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from services import journey, ledger
from services.clock import clock
from services.db import db
from services.models import Case, CaseEvent, CourseSession, HumanTask, Licence

NEAR_DAYS = 30
SORTS = {
    "echeance": (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id),
    "-echeance": (HumanTask.due_on.is_(None), HumanTask.due_on.desc(), HumanTask.id),
    "creation": (HumanTask.created_at, HumanTask.id),
    "-creation": (HumanTask.created_at.desc(), HumanTask.id.desc()),
}


def _page(query, order, page: int, per_page: int, *options):
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(*order).options(*options).limit(per_page)
                               .offset((page - 1) * per_page)).all()
    return items, total


def task_page(user, scope: str = "", key: str = "", due_before: dt.date | None = None,
              sort: str = "echeance", page: int = 1, per_page: int = 20):
    """Open tasks; scope '' (all), 'mine' or 'unassigned'."""
    query = select(HumanTask).where(HumanTask.state == "open")
    if scope == "mine":
        query = query.where(HumanTask.assignee_id == user.id)
    elif scope == "unassigned":
        query = query.where(HumanTask.assignee_id.is_(None))
    if key:
        query = query.where(HumanTask.key == key)
    if due_before:
        query = query.where(HumanTask.due_on <= due_before)
    # "echeance" and the creation sorts follow the indexes of migration 0003
    return _page(query, SORTS.get(sort, SORTS["echeance"]), page, per_page,
                 selectinload(HumanTask.assignee))


def deadline_cases(today: dt.date, limit: int = 10):
    """Open mandatory cases whose 4-month deadline is passed or within NEAR_DAYS days."""
    query = (select(Case).where(Case.closed.is_(False), Case.deadline.is_not(None),
                                Case.deadline <= today + dt.timedelta(days=NEAR_DAYS),
                                Case.obligation.in_(("pending", "manual_review"))))
    return _page(query, (Case.deadline, Case.id), 1, limit)


def late_attestations(today: dt.date, limit: int = 10):
    """Crediting tasks still open after the one-month deadline (R39, D4)."""
    query = (select(HumanTask).where(HumanTask.state == "open",
                                     HumanTask.key.in_(("verification_attestation",
                                                        "examen_manuel")),
                                     HumanTask.due_on < today))
    return _page(query, (HumanTask.due_on, HumanTask.id), 1, limit)


def deadlines_per_week(today: dt.date, weeks: int = 8) -> dict:
    """Upcoming deadlines per week (Monday-based): 4-month deadlines and crediting deadlines."""
    monday = today - dt.timedelta(days=today.weekday())
    end = monday + dt.timedelta(weeks=weeks)
    starts = [monday + dt.timedelta(weeks=i) for i in range(weeks)]
    case_days = db.session.scalars(select(Case.deadline).where(
        Case.closed.is_(False), Case.deadline >= today, Case.deadline < end,
        Case.obligation.in_(("pending", "manual_review")))).all()
    task_days = db.session.scalars(select(HumanTask.due_on).where(
        HumanTask.state == "open", HumanTask.due_on >= today, HumanTask.due_on < end)).all()

    def per_week(days):
        counts = [0] * weeks
        for d in days:
            counts[(d - monday).days // 7] += 1
        return counts

    return {"weeks": starts, "deadlines": per_week(case_days), "credits": per_week(task_days)}


def history(case: Case) -> list[CaseEvent]:
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.at, CaseEvent.id)).all()


def balance_series(licence: Licence, today: dt.date | None = None) -> list[dict]:
    """The balance after each movement date up to today (for the small chart)."""
    today = today or clock().today()
    lg = ledger.replay(licence)
    days = sorted({m.effective_on for m in lg.movements if m.effective_on <= today} | {today})
    return [{"on": d, "balance": lg.balance_on(d)} for d in days]


def diagram_state(case: Case) -> dict | None:
    """Completed and active BPMN element ids and waiting timers of the case's instance."""
    instance = case.instance
    if instance is None:
        return None
    version = instance.version
    run = journey.engine().resume(version.id, version.xml, version.key, instance.state_json,
                                  journey.context(case, "lecture"))
    return {
        "process": version.key, "version": version.version,
        "completed": sorted(run.completed_element_ids()),
        "active": sorted(run.active_element_ids()),
        "timers": [{"element": t.name, "label": t.label, "due_at": t.due_at.isoformat()}
                   for t in run.waiting_timers()],
    }


def open_sessions(today: dt.date, limit: int = 50):
    """Planned sessions from today on that still have a free seat (for the enrolment form)."""
    rows = db.session.scalars(select(CourseSession).where(
        CourseSession.status == "planned", CourseSession.day1 >= today)
        .order_by(CourseSession.day1, CourseSession.id).limit(limit)).all()
    return [s for s in rows
            if sum(1 for e in s.enrollments if e.status == "enrolled") < s.capacity]
