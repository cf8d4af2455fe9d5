"""Read-only views for the browser UI: dashboard counts, filtered tasklist, ledger series and
the state of a case's BPMN diagram. Nothing here writes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from services import cases, journey, ledger
from services.clock import clock
from services.db import db, paginate
from services.errors import Invalid
from services.models import Case, CaseEvent, Centre, CourseSession, Enrollment, HumanTask, Licence

NEAR_DAYS = 30
# What a row of the pages' lists shows, read with the page instead of one query per row: a
# task's case, holder and assignee; a case's holder; a session's centre and seats taken. (The
# joins are left out of the pages' count subqueries.)
TASK_ROW = (joinedload(HumanTask.case, innerjoin=True).joinedload(Case.licence, innerjoin=True),
            joinedload(HumanTask.assignee))
CASE_ROW = (joinedload(Case.licence, innerjoin=True),)
SESSION_ROW = (joinedload(CourseSession.centre, innerjoin=True),
               selectinload(CourseSession.enrollments))
# the session page: each enrolment's case and holder
SESSION_TRAINEES = (joinedload(CourseSession.centre, innerjoin=True),
                    selectinload(CourseSession.enrollments)
                    .joinedload(Enrollment.case, innerjoin=True)
                    .joinedload(Case.licence, innerjoin=True))
SORTS = {
    "echeance": (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id),
    "-echeance": (HumanTask.due_on.is_(None), HumanTask.due_on.desc(), HumanTask.id),
    "creation": (HumanTask.created_at, HumanTask.id),
    "-creation": (HumanTask.created_at.desc(), HumanTask.id.desc()),
}


def task_page(user, scope: str = "", key: str = "", due_before: dt.date | None = None,
              sort: str = "echeance", page: int = 1, per_page: int = 20):
    """Open tasks; scope '' (all), 'mine' or 'unassigned'."""
    return paginate(*task_query(user, scope, key, due_before, sort), page, per_page)


def task_query(user, scope: str = "", key: str = "", due_before: dt.date | None = None,
               sort: str = "echeance"):
    """The task list's query and its order (the page, and its export: every row)."""
    query = select(HumanTask).options(*TASK_ROW).where(HumanTask.state == "open")
    if scope == "mine":
        query = query.where(HumanTask.assignee_id == user.id)
    elif scope == "unassigned":
        query = query.where(HumanTask.assignee_id.is_(None))
    if key:
        query = query.where(HumanTask.key == key)
    if due_before:
        query = query.where(HumanTask.due_on <= due_before)
    # "echeance" and the creation sorts follow the indexes of migration 0003
    return query, SORTS.get(sort, SORTS["echeance"])


def deadline_cases(today: dt.date, limit: int = 10):
    """Open mandatory cases whose 4-month deadline is passed or within NEAR_DAYS days."""
    query = (select(Case).options(*CASE_ROW)
             .where(Case.closed.is_(False), Case.deadline.is_not(None),
                    Case.deadline <= today + dt.timedelta(days=NEAR_DAYS),
                    Case.obligation.in_(("pending", "manual_review"))))
    return paginate(query, (Case.deadline, Case.id), 1, limit)


def late_attestations(today: dt.date, limit: int = 10):
    """Crediting tasks still open after the one-month deadline (R39, D4)."""
    query = (select(HumanTask).options(*TASK_ROW)
             .where(HumanTask.state == "open",
                    HumanTask.key.in_(("verification_attestation", "examen_manuel")),
                    HumanTask.due_on < today))
    return paginate(query, (HumanTask.due_on, HumanTask.id), 1, limit)


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


def balance_series(licence: Licence, today: dt.date | None = None, lg=None) -> list[dict]:
    """The balance after each movement date up to today (for the small chart); `lg`: the
    licence's ledger already replayed for the same page."""
    today = today or clock().today()
    lg = lg or ledger.replay(licence)
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
    taken = (select(func.count()).where(Enrollment.session_id == CourseSession.id,
                                        Enrollment.status == "enrolled")
             .correlate(CourseSession).scalar_subquery())
    return db.session.scalars(select(CourseSession).options(*SESSION_ROW).where(
        CourseSession.status == "planned", CourseSession.day1 >= today,
        taken < CourseSession.capacity)
        .order_by(CourseSession.day1, CourseSession.id).limit(limit)).all()


def cases_by_infraction(licence: Licence) -> dict[int, Case]:
    """The case opened on each of the licence's infractions (at most one each)."""
    rows = db.session.scalars(select(Case).where(Case.licence_id == licence.id,
                                                 Case.infraction_id.is_not(None))).all()
    return {c.infraction_id: c for c in rows}


def open_cases(licence: Licence) -> list[Case]:
    return db.session.scalars(select(Case).where(Case.licence_id == licence.id,
                                                 Case.closed.is_(False))
                              .order_by(Case.id)).all()


def centres() -> list[Centre]:
    return db.session.scalars(select(Centre).order_by(Centre.name, Centre.id)).all()


def waiting_cases(limit: int = 200) -> list[Case]:
    """Cases waiting for an enrolment, the nearest deadline first (the session page's list)."""
    return db.session.scalars(select(Case).options(*CASE_ROW)
                              .where(Case.status == "en_attente_inscription")
                              .order_by(Case.deadline.is_(None), Case.deadline, Case.id)
                              .limit(limit)).all()


def find_case_to_enrol(term: str) -> Case:
    """A clerk's enrolment: the case named by its reference, or the waiting case of a licence
    number (a centre enrols by licence number only: cases.enroll_licence)."""
    term = term.strip()
    case = db.session.scalar(select(Case).where(func.upper(Case.reference) == term.upper()))
    if case is not None:
        return case
    waiting = cases.waiting_case(term)
    if waiting is not None:
        return waiting
    licence = db.session.scalar(select(Licence).where(func.upper(Licence.number) == term.upper()))
    if licence is None:
        raise Invalid.field("case", f"Aucun dossier ni permis « {term} ».")
    raise Invalid.field("case", f"Le permis n° {licence.number} n'a aucun dossier en attente "
                        "d'inscription.")
