"""Builds the rules' facts from the database and replays a licence's points ledger (D9, R43).

The balance is never stored: it is replayed from every known movement each time it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from services.db import db
from services.models import Case, CourseSession, Enrollment, Licence
from services.rules import ledger as rl
from services.rules.explain import Explanation
from services.settings import rules_config


def licence_facts(licence: Licence) -> rl.LicenceFacts:
    return rl.LicenceFacts(
        obtained_on=licence.obtained_on, probation=licence.probation,
        formation_complementaire=licence.formation_complementaire,
        imported_points=licence.imported_points, imported_on=licence.imported_on)


def retrait_of(infraction) -> rl.Retrait:
    return rl.Retrait(ref=f"infraction:{infraction.id}", committed_on=infraction.committed_on,
                      points=infraction.points, decision_on=infraction.decision_on,
                      established_on=infraction.established_on,
                      offence_class=infraction.offence_class)


def retrait_facts(licence: Licence) -> list[rl.Retrait]:
    return [retrait_of(i) for i in licence.infractions]


def course_ref(enrollment: Enrollment) -> str:
    return f"stage:{enrollment.id}"


def course_facts(enrollment: Enrollment, session: CourseSession) -> rl.CourseFacts:
    refused = None
    if enrollment.credit_decision == "refuser":
        rule = enrollment.credit_rule or "R41"
        refused = Explanation(rule, f"{rule} : crédit refusé après examen manuel : "
                              f"{enrollment.credit_motif or 'sans motif'}",
                              {"by_person": True, "motif": enrollment.credit_motif})
    return rl.CourseFacts(ref=course_ref(enrollment), day1=session.day1, day2=session.day2,
                          attested=enrollment.attestation_issued_on is not None,
                          refused_by=refused)


def credited_courses(licence: Licence, extra: Enrollment | None = None) -> list[rl.CourseFacts]:
    """Courses whose crediting was decided (R26), plus `extra` as if it were credited now."""
    rows = db.session.execute(
        select(Enrollment, CourseSession)
        .join(CourseSession, Enrollment.session_id == CourseSession.id)
        .join(Case, Enrollment.case_id == Case.id)
        .where(Case.licence_id == licence.id, Enrollment.credit_decision.is_not(None))
    ).all()
    facts = [course_facts(e, s) for e, s in rows]
    if extra is not None and extra.credit_decision is None:
        facts.append(course_facts(extra, extra.session))
    return facts


def invalidation_facts(licence: Licence) -> list[rl.InvalidationFacts]:
    return [rl.InvalidationFacts(decision_on=i.decision_on, notified_on=i.notified_on)
            for i in licence.invalidations]


@dataclass(frozen=True)
class LedgerInputs:
    """Every fact a licence's ledger is replayed from, read once (a caller that replays the
    ledger twice with a change of its own reads them once: issue 17)."""

    licence: rl.LicenceFacts
    retraits: list[rl.Retrait]
    courses: list[rl.CourseFacts]
    invalidations: list[rl.InvalidationFacts]

    def replay(self, extra_retraits: tuple[rl.Retrait, ...] = ()) -> rl.Ledger:
        return rl.replay(self.licence, self.retraits + list(extra_retraits), self.courses,
                         self.invalidations, rules_config())


def ledger_inputs(licence: Licence, extra_course: Enrollment | None = None) -> LedgerInputs:
    return LedgerInputs(licence_facts(licence), retrait_facts(licence),
                        credited_courses(licence, extra_course), invalidation_facts(licence))


def replay(licence: Licence, extra_course: Enrollment | None = None) -> rl.Ledger:
    return ledger_inputs(licence, extra_course).replay()
