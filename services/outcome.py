"""What a case has come to, as the law computes it now: credit, refund, review reasons, flags.

Read-side helpers shared by the journey (facts for the BPMN) and the API (the case resource).
Nothing here writes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, or_, select

from services import audit, licence_ledger, statuses
from services.clock import clock
from services.errors import sentences
from services.models import Case, CourseSession, Enrollment, Licence
from services.rules import conformity as rconf
from services.rules import dates as rdates
from services.rules import eligibility, refund
from services.rules.explain import Decision, Explanation, Flag
from services.settings import rules_config
from workflows import clerk_view


def invalidated(licence: Licence, on: dt.date) -> bool:
    return any(i.notified_on is not None and i.notified_on <= on for i in licence.invalidations)


def latest_attended(case: Case) -> Enrollment | None:
    attended = [e for e in case.enrollments if e.status == "attended"]
    return attended[-1] if attended else None


def pending_course(case: Case) -> Enrollment | None:
    """The attested course whose crediting is not decided yet (R26 still to apply)."""
    for enr in reversed(case.enrollments):
        if (enr.attestation_issued_on and enr.credit_decision is None
                and enr.verification != "refuser"):
            return enr
    return None


def present_count(session, enrollments=None) -> int:
    """`enrollments`: the session's, when the caller read them apart (anything with `status`,
    `day1` and `day2`)."""
    return sum(1 for e in (session.enrollments if enrollments is None else enrollments)
               if e.status == "attended" and e.day1 == "present" and e.day2 == "present")


def session_flags(session, enrollments=None) -> tuple[Flag, ...]:
    if session.status != "held":
        return ()
    return tuple(eligibility.session_size_flags(present_count(session, enrollments),
                                                session.driving_sequence))


def review_reasons(case: Case, enr: Enrollment | None, lg=None) -> list[Flag]:
    """The situations of API.md that open `examen_manuel` for this course; `lg`: the ledger
    replayed with `enr` as if credited, when the caller has it already."""
    if enr is None:
        return []
    reasons: list[Flag] = []
    npai = rconf.npai_review(case.kind == "obligatoire", case.letter_receipt)
    if npai is not None:
        reasons.append(npai)
    reasons.extend(f for f in session_flags(enr.session) if f.review)
    lg = lg or licence_ledger.replay(case.licence, extra_course=enr)
    credit = lg.course(licence_ledger.course_ref(enr))
    reasons.extend(f for f in credit.flags if f.review)
    return reasons


def credit_for(case: Case, lg=None) -> dict:
    """points_credited / effect_on / balance_after / credit_refusal, replayed from the ledger now,
    so a retrait registered later but decided before the effect date shows (R43)."""
    enr = case.credited_enrollment
    if enr is None:
        return {"points_credited": None, "effect_on": None, "balance_after": None,
                "credit_refusal": None, "explanation": None}
    credit = (lg or licence_ledger.replay(case.licence)).course(licence_ledger.course_ref(enr))
    if credit.refusal is not None:
        return {"points_credited": 0, "effect_on": None, "balance_after": None,
                "credit_refusal": {"rule": credit.refusal.rule, "reason": credit.refusal.message},
                "explanation": credit.refusal.message}
    return {"points_credited": credit.points, "effect_on": credit.effect_on,
            "balance_after": credit.balance_after, "credit_refusal": None,
            "explanation": sentences(e.message for e in credit.explanations)}


def fine_known(inf) -> bool:
    """R45: an infraction registered without any fine detail has an UNKNOWN fine (not unpaid)."""
    return not (inf.fine_amount is None and inf.fine_kind is None and inf.fine_paid_on is None)


def refund_for(case: Case, lg=None) -> dict | None:
    """`lg`: the licence's ledger as it is now, when the caller has it already."""
    decision = refund_decision_for(case, lg)
    return None if decision is None else audit.jsonable(decision.to_outcome(), keep_none=True)


def refund_decision_for(case: Case, lg=None) -> refund.RefundDecision | None:
    """The refund decision the rules give the case now, with its explanations and flags."""
    if case.kind != "obligatoire":
        return None
    inf = case.infraction
    fine = refund.FineFacts(amount=inf.fine_amount, kind=inf.fine_kind or "forfaitaire",
                            paid_on=inf.fine_paid_on) if inf and fine_known(inf) else None
    enr = case.credited_enrollment
    cfg = rules_config()
    if enr is None:
        decision = refund.refund_decision("obligatoire", fine, None, None, None, cfg)
    else:
        sess = enr.session
        compliance = eligibility.compliance(case.notified_on, case.deadline, sess.day1, sess.day2,
                                            cfg)
        by_clerk = enr.review_refund == "accorde" or enr.review_obligation == "remplie"
        if by_clerk:  # the clerk held the course compliant (R19) or granted the refund (R48)
            compliance = Decision(True, (Explanation(
                "R48", "R48 : conformité retenue par l'agent à l'examen manuel"),))
        elif case.obligation == "not_met":
            # R19/R48: the deadline passed without a compliant course and the obligation stays
            # not met whatever course is credited later, even one dated before the deadline
            # but recorded after it (docs/legal-decisions.md): no refund
            compliance = Decision(False, (Explanation(
                "R19", "R19 : l'échéance de quatre mois est passée sans stage conforme attesté ; "
                       "l'obligation reste non remplie"),))
        decision = refund.refund_decision("obligatoire", fine, compliance, sess.day2,
                                          enr.attestation_issued_on, cfg)
        refusal = (lg or licence_ledger.replay(case.licence)).course(
            licence_ledger.course_ref(enr)).refusal
        decision = refund.refund_after_credit(
            decision, None if enr.review_obligation == "remplie" else refusal,
            False if enr.review_obligation == "non_remplie" else None,
            enr.review_refund, enr.credit_motif if enr.review_refund else None)
    return decision


REVIEW_TEXT = {
    ("obligation", "remplie"): "obligation de stage remplie (décision de l'agent)",
    ("obligation", "non_remplie"): "obligation de stage non remplie (décision de l'agent)",
    ("remboursement", "accorde"): "remboursement accordé (décision de l'agent)",
    ("remboursement", "refuse"): "remboursement refusé (décision de l'agent)",
}


def reviewed_course(case: Case) -> Enrollment | None:
    """The mandatory case's credited course when a person reviewed it (a choice made at the
    manual review, or the credit refused), else None."""
    enr = case.credited_enrollment
    if enr is None or enr.credit_decision is None or case.kind != "obligatoire":
        return None
    reviewed = enr.review_obligation or enr.review_refund or enr.credit_decision == "refuser"
    return enr if reviewed else None


def review_explanation(case: Case) -> str | None:
    """What the manual review decided, each choice with its reason or its default (R19, R48)."""
    enr = reviewed_course(case)
    if enr is None:
        return None
    decision = ("points crédités" if enr.credit_decision == "crediter"
                else f"crédit refusé ({enr.credit_rule or 'R41'})")
    parts = [f"Examen manuel : {decision}"]
    if enr.review_obligation:
        parts.append(REVIEW_TEXT[("obligation", enr.review_obligation)])
    elif enr.credit_decision == "refuser":
        parts.append("obligation de stage non remplie par défaut : un stage refusé n'est pas "
                     "l'attestation d'un stage valide (R19)")
    if enr.review_refund:
        parts.append(REVIEW_TEXT[("remboursement", enr.review_refund)])
    else:
        parts.append("remboursement selon le crédit et l'obligation, par défaut (R48)")
    return " ; ".join(parts) + "."


def task_due_on(case: Case, key: str, due: str | None, today: dt.date) -> dt.date | None:
    """The clerk's deadline for a task. The law's first: the crediting tasks are due one
    calendar month after the attestation's receipt (R39, D4) whatever the diagram says. Any
    other task is due as its diagram says (camunda:dueDate, docs/process-bundle.md): a number of
    days after it opens, or a date the rules compute for the case."""
    if key in statuses.CREDITING_TASKS or due == clerk_view.DUE_CREDIT:
        enr = pending_course(case) or latest_attended(case)
        if enr and enr.attestation_received_on:
            return rdates.credit_due_on(enr.attestation_received_on)
        return None
    if due == clerk_view.DUE_DEADLINE:
        return case.deadline
    days = clerk_view.due_days(due) if due else None
    return today + dt.timedelta(days=days) if days is not None else None


def credit_due_on(case: Case) -> dt.date | None:
    enr = pending_course(case)
    if enr and enr.attestation_received_on:
        return rdates.credit_due_on(enr.attestation_received_on)
    return None


def _attended_courses(licence: Licence) -> list[tuple[dt.date, dt.date]]:
    """(day1, day2) of every attested course of the licence, whatever its case."""
    from sqlalchemy import select

    from services.db import db
    from services.models import CourseSession

    return [tuple(r) for r in db.session.execute(
        select(CourseSession.day1, CourseSession.day2)
        .join(Enrollment, Enrollment.session_id == CourseSession.id)
        .join(Case, Enrollment.case_id == Case.id)
        .where(Case.licence_id == licence.id, Enrollment.status == "attended",
               Enrollment.attestation_issued_on.is_not(None)))]


def case_flags(case: Case, lg=None) -> list[dict]:
    """Stored flags (raised by events) plus those the law computes now."""
    flags = list(case.flags or [])
    today = clock().today()
    seen = {(f["rule"], f["message"]) for f in flags}
    computed: list[Flag] = []
    if case.letter_receipt in ("unclaimed", "npai"):
        computed.extend(rdates.notification_date(case.letter_receipt, case.letter_received_on,
                                                 rules_config())[1])
    lg = lg or licence_ledger.replay(case.licence)
    computed.extend(lg.flags(today))
    attended = None
    for enr in case.enrollments:
        computed.extend(session_flags(enr.session))
        if enr.status == "attended" and enr.attestation_issued_on is not None:
            attended = _attended_courses(case.licence) if attended is None else attended
            s = enr.session  # R35: the interview due from the third course on
            computed.extend(eligibility.interview_flags(
                s.day1, s.day2, sum(1 for day1, _ in attended if day1 < s.day1)))
    enr = case.credited_enrollment
    if enr is not None and enr.credit_decision is not None:
        # the default a credit rests on (R25/Q2, D2/Q16, R28/Q13, R4/Q15); review reasons
        # are the examen_manuel's
        try:
            credit = lg.course(licence_ledger.course_ref(enr))
        except KeyError:
            credit = None
        if credit is not None:
            computed.extend(f for f in credit.flags if not f.review)
    if case.kind == "obligatoire" and case.refund is not None:
        decided = refund_decision_for(case, lg)  # R48/Q7, R49, R46/Q1 behind the refund
        computed.extend(decided.flags if decided is not None else ())
    if case.kind == "obligatoire" and case.infraction and not fine_known(case.infraction):
        computed.append(refund.UNKNOWN_FINE_FLAG)
    if case.kind == "obligatoire" and case.obligation in ("pending", None):
        computed.extend(rdates.deadline_flags(case.notified_on, rules_config()))
    if case.kind == "obligatoire" and case.obligation != "met":
        for enr in case.enrollments:
            if enr.session.status == "cancelled":
                s = enr.session
                computed.extend(eligibility.cancelled_session_flags(
                    s.day1, s.day2, s.cancelled_on, s.cancel_reason, case.deadline))
        computed.extend(eligibility.pre_48n_course_flags(
            case.notified_on, case.infraction.committed_on if case.infraction else None,
            _attended_courses(case.licence) if attended is None else attended, rules_config()))
    for f in computed:
        if (f.rule, f.message) not in seen:
            seen.add((f.rule, f.message))
            flags.append({"rule": f.rule, "message": f.message})
    return flags


# ---- is the 4-month deadline overdue? (the case page, the dashboard and ?overdue=true) --------

def course_in_time(case: Case, cfg=None) -> Enrollment | None:
    """The course that met the 4-month deadline (R19, D1): attended in full (its attestation
    issued, R34), not refused at verification, its dates compliant (R17–R19). Once there is one,
    the deadline is not overdue whatever today is: the crediting deadline (D4) is what runs
    (a QA finding: a course of 08–09/12 for a 10/12 deadline showed « dépassée de 36 jours »)."""
    cfg = cfg or rules_config()
    for enr in case.enrollments:
        if (enr.attestation_issued_on is not None and enr.verification != "refuser"
                and eligibility.compliance(case.notified_on, case.deadline, enr.session.day1,
                                           enr.session.day2, cfg).ok):
            return enr
    return None


def deadline_overdue(case: Case, today: dt.date) -> bool:
    """The open case's 4-month deadline is past and neither the obligation is met nor a course
    met it (`course_in_time`); the same as `deadline_open_clause` in SQL."""
    return (case.deadline is not None and not case.closed and case.deadline < today
            and case.obligation != "met" and course_in_time(case) is None)


def deadline_open_clause():
    """SQL: the case's 4-month deadline still matters — no obligation met, no course that met
    it (`course_in_time`'s test: attestation issued, not refused, the course's last day — or
    first, CFG_DEADLINE_TEST — on or before the deadline, not before the 48N's notification
    unless CFG_PRE_48N_COURSE_DISCHARGES)."""
    cfg = rules_config()
    day = CourseSession.day2 if cfg.deadline_test == "LAST_DAY" else CourseSession.day1
    conditions = [Enrollment.case_id == Case.id, Enrollment.attestation_issued_on.is_not(None),
                  or_(Enrollment.verification.is_(None), Enrollment.verification != "refuser"),
                  or_(Case.deadline.is_(None), day <= Case.deadline)]
    if not cfg.pre_48n_course_discharges:
        conditions.append(or_(Case.notified_on.is_(None), CourseSession.day1 >= Case.notified_on))
    in_time = exists(select(Enrollment.id).join(
        CourseSession, Enrollment.session_id == CourseSession.id).where(*conditions))
    return or_(Case.obligation.is_(None), Case.obligation != "met") & ~in_time
