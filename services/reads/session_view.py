"""What the session pages read: sessions with their seats, trainees, centres, the cases
waiting for an enrolment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from services import cases, statuses
from services.db import db
from services.errors import Invalid
from services.models import Case, Centre, CourseSession, Enrollment, Licence
from services.reads.worklist import CASE_ROW

SESSION_ROW = (joinedload(CourseSession.centre, innerjoin=True),
               selectinload(CourseSession.enrollments))


# the session page: each enrolment's case and holder
SESSION_TRAINEES = (joinedload(CourseSession.centre, innerjoin=True),
                    selectinload(CourseSession.enrollments)
                    .joinedload(Enrollment.case, innerjoin=True)
                    .joinedload(Case.licence, innerjoin=True))


def open_sessions(today: dt.date, limit: int = 50):
    """Planned sessions from today on that still have a free seat (for the enrolment form)."""
    taken = (select(func.count()).where(Enrollment.session_id == CourseSession.id,
                                        Enrollment.status == "enrolled")
             .correlate(CourseSession).scalar_subquery())
    return db.session.scalars(select(CourseSession).options(*SESSION_ROW).where(
        CourseSession.status == "planned", CourseSession.day1 >= today,
        taken < CourseSession.capacity)
        .order_by(CourseSession.day1, CourseSession.id).limit(limit)).all()


def centres() -> list[Centre]:
    return db.session.scalars(select(Centre).order_by(Centre.name, Centre.id)).all()


def waiting_cases(limit: int = 200) -> list[Case]:
    """Cases waiting for an enrolment, the nearest deadline first (the session page's list)."""
    return db.session.scalars(select(Case).options(*CASE_ROW)
                              .where(Case.status == statuses.EN_ATTENTE_INSCRIPTION.code)
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
