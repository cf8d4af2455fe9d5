"""Approved centres, their course sessions, cancellation (R36) and attendance (R32, R34)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from services import audit, centre_access, journey, outcome, stat_counters
from services.clock import clock, in_paris
from services.db import command, db, paginate
from services.errors import Conflict, Invalid, NotFound, raise_all, sentences
from services.models import Case, Centre, CourseSession, Enrollment, Licence
from services.row_writes import update_row
from services.rules import calendar as rcal
from services.rules import conformity as rconf
from services.rules import dates as rdates
from services.rules import eligibility
from services.rules import facts as rfacts
from services.settings import rules_config

# a session's status, and each enrolment's (the API's `status` fields, web/api/schemas.py)
STATUSES = ("planned", "held", "cancelled")
ENROLMENT_STATUSES = ("enrolled", "attended", "cancelled")

# what `view` reads: each trainee's case and licence (the licence number) with the session(s),
# not two queries per trainee
VIEW_LOAD = (selectinload(CourseSession.enrollments).selectinload(Enrollment.case)
             .selectinload(Case.licence),)


def get(session_id: int, *options) -> CourseSession:
    """The session; `options` are loader options (what a page shows with it)."""
    session = db.session.get(CourseSession, session_id, options=options)
    if session is None:
        raise NotFound(f"Aucune session n° {session_id}.")
    return session


@command
def create(data: dict, user) -> CourseSession:
    centre_access.check_agrement(user, data["centre"])  # before the look-up: one answer
    # FOR SHARE: a concurrent change of the centre's validity (services/centres.update, FOR
    # UPDATE) is applied before or after this session, never beside it (R23)
    centre = db.session.scalar(select(Centre).where(Centre.agrement == data["centre"])
                               .with_for_update(read=True))
    if centre is None:
        raise Invalid.field("centre", f"Centre agréé inconnu : {data['centre']}.")
    centre_access.check(user, centre.id)
    # every problem of the days at once (D12/R31, a centre's past day, the agrément's end)
    problems = rdates.course_days_problems(data["day1"], data["day2"])
    errors = _course_days_errors(data["day1"], problems)
    messages = [p.message for p in problems]
    if centre_access.is_centre(user) and data["day1"] < clock().today():
        # a centre declares its sessions before they take place: one dated in the past would
        # let it enrol trainees in a course after the fact (docs/legal-decisions.md)
        message = (f"Un centre déclare ses sessions avant leur premier jour : le "
                   f"{data['day1']:%d/%m/%Y} est passé. Pour une session déjà tenue, "
                   "adressez-vous à la préfecture.")
        errors.setdefault("day1", []).append(message)
        messages.append(message)
    if data["day2"] > centre.valid_until:
        # an agrément still running today but ending before the session is not "expired" yet
        message = (f"L'agrément du centre a expiré le {centre.valid_until:%d/%m/%Y} (R23)."
                   if centre.valid_until < clock().today() else
                   f"L'agrément du centre prend fin le {centre.valid_until:%d/%m/%Y}, avant le "
                   f"second jour de la session (R23).")
        errors.setdefault("centre", []).append(message)
        messages.append(message)
    if errors:
        if problems:
            detail = "Dates de stage invalides : " + sentences(messages)
        elif "centre" in errors and len(messages) == 1:
            detail = f"R23 : l'agrément du centre {centre.agrement} n'est plus valide."
        else:
            detail = sentences(messages)
        raise Invalid(detail, errors)
    session = CourseSession(centre_id=centre.id, day1=data["day1"], day2=data["day2"],
                            capacity=data["capacity"],
                            driving_sequence=bool(data.get("driving_sequence")),
                            status="planned", created_at=clock().now())
    db.session.add(session)
    db.session.flush()
    return session


def _course_days_errors(day1, problems) -> dict[str, list[str]]:
    """Each D12/R31 problem under the day it concerns: D12 (days not consecutive) under day2;
    R31 problems come day 1's first (Sunday, then public holiday), then day 2's."""
    on_day1 = int(rcal.is_sunday(day1)) + int(rcal.public_holiday_name(day1) is not None)
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.rule == "R31" and on_day1 > 0:
            field, on_day1 = "day1", on_day1 - 1
        else:
            field = "day2"
        errors.setdefault(field, []).append(problem.message)
    return errors


def list_sessions(user, centre: str | None, from_, to, page: int, per_page: int,
                  status: str | None = None):
    """A page of sessions with their centre and enrolments (the list page counts the seats
    taken; it shows no trainee, so their cases and licences are not loaded)."""
    return paginate(session_query(user, centre, from_, to, status), SESSION_ORDER, page,
                    per_page)


def list_session_views(user, centre: str | None, from_, to, page: int, per_page: int,
                       status: str | None = None) -> tuple[list[dict], int]:
    """A page of `view`s: the sessions, then every trainee of the page in one plain query (a
    page of full sessions is up to 20 × 20 enrolments, each with its case and licence: loading
    them as objects was most of the list's time in a clerks' day)."""
    query = (select(CourseSession).join(Centre).options(contains_eager(CourseSession.centre)))
    query = _filtered(query, user, centre, from_, to, status)
    items, total = paginate(query, SESSION_ORDER, page, per_page)
    trainees: dict[int, list] = {s.id: [] for s in items}
    if items:
        rows = db.session.execute(
            select(Enrollment.session_id, Enrollment.case_id, Licence.number.label("licence"),
                   Enrollment.status, Enrollment.day1, Enrollment.day2,
                   Enrollment.attestation_issued_on)
            .join(Case, Case.id == Enrollment.case_id)
            .join(Licence, Licence.id == Case.licence_id)
            .where(Enrollment.session_id.in_(list(trainees)))
            .order_by(Enrollment.id))  # the relationship's order (services/models/centres)
        for row in rows:
            trainees[row.session_id].append(row)
    today = clock().today()
    return [_view(s, trainees[s.id], today) for s in items], total


SESSION_ORDER = (CourseSession.day1, CourseSession.id)


def session_query(user, centre: str | None, from_, to, status: str | None = None):
    """The sessions a user may see, filtered (the list page, and its export: every row)."""
    # with each row's centre and enrolments (seats taken), not one query each
    query = (select(CourseSession).join(Centre)
             .options(contains_eager(CourseSession.centre),
                      selectinload(CourseSession.enrollments)))
    return _filtered(query, user, centre, from_, to, status)


def _filtered(query, user, centre: str | None, from_, to, status: str | None):
    if user.role == "centre":
        query = query.where(CourseSession.centre_id == user.centre_id)
    if centre:
        query = query.where(Centre.agrement == centre)
    if status:
        query = query.where(CourseSession.status == status)
    if from_:
        query = query.where(CourseSession.day1 >= from_)
    if to:
        query = query.where(CourseSession.day1 <= to)
    return query


def active_enrollments(session: CourseSession) -> list[Enrollment]:
    return [e for e in session.enrollments if e.status == "enrolled"]


def _load_trainee_cases(session: CourseSession) -> None:
    """The session's enrolments with each case and what its facts read (journey.CASE_GRAPH),
    in a fixed number of queries: a command on a session reads them for every trainee."""
    db.session.scalars(select(Enrollment).where(Enrollment.session_id == session.id)
                       .options(selectinload(Enrollment.case).options(*journey.CASE_GRAPH))
                       ).all()


def _lock(session: CourseSession) -> None:
    """Lock the session's row and read it again: the commands that change a session's trainees
    (its cancellation, its attendance, an un-enrolment) take this lock first, then their cases'
    instances, so two of them on one session run one after the other and the second sees what
    the first did (PostgreSQL: FOR NO KEY UPDATE, which does not hold back an enrolment whose
    row only refers to the session; SQLite writers are serialised already)."""
    db.session.refresh(session, with_for_update={"key_share": True})


@command
def cancel(session: CourseSession, data: dict, user) -> CourseSession:
    centre_access.check(user, session.centre_id)
    _lock(session)
    if session.status != "planned":
        raise Conflict(f"La session est déjà {_status_fr(session.status)}.")
    raise_all(rfacts.cancellation_problems(data["on"], session.day2, clock().today(),
                                           day1=session.day1,
                                           recorded_on=in_paris(session.created_at).date()))
    _load_trainee_cases(session)
    enrolled = active_enrollments(session)
    # R19: before the cancellation (R36), so the deadline watch hears only of a change
    conformity_before = {enr.case_id: journey.conformity_now(enr.case) for enr in enrolled}
    session.status = "cancelled"
    session.cancelled_on = data["on"]
    session.cancel_reason = data["reason"]
    for enr in enrolled:
        enr.status = "cancelled"
        case = enr.case
        case.session_id = None
        audit.record(case, "session_annulee", user.username, session=session.id,
                     reason=data["reason"], on=data["on"], regle="R36",
                     message="Session annulée : le dossier revient en attente d'inscription ; "
                             "l'échéance ne change pas (R36).")
        journey.send(case, "annulation_session", user.username,
                     conformity_before=conformity_before[case.id])
    return session


REASON_MAX = 255  # as a session's cancellation reason (CourseSession.cancel_reason)
UNENROLMENT_RULE = "LD16"  # docs/legal-decisions.md
# the process hears an un-enrolment as its session's cancellation: that message's meaning in
# the shipped diagrams (« retour à l'attente d'une inscription, sans report de l'échéance »)
MSG_UNENROLLED = "annulation_session"


def unenrolment_open(session: CourseSession, today=None) -> bool:
    """Whether a trainee may still be taken out of the session (LD16): planned, and its first
    day after today (a session starts on its first day, as for LD4's released seats)."""
    return session.status == "planned" and session.day1 > (today or clock().today())


@command
def unenrol(session: CourseSession, case_id: int, reason: str | None, user) -> CourseSession:
    """Take one trainee out of a session that has not started (LD16): the per-trainee analogue
    of the session's cancellation (R36). The seat is free again, the enrolment `cancelled`, the
    case back to waiting for an enrolment with its deadline unchanged (its process hears
    « annulation_session », the message of a cancelled session), and the history says who, when
    and why."""
    centre_access.check(user, session.centre_id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Indiquez le motif de la désinscription.")
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", f"{REASON_MAX} caractères au plus.")
    _lock(session)
    enr = enrolment_of(session, case_id)
    if session.status != "planned":
        raise Conflict(f"La session est {_status_fr(session.status)} : "
                       + ("ses stagiaires sont déjà revenus en attente d'inscription (R36)."
                          if session.status == "cancelled" else
                          "sa présence est enregistrée (R34) ; un stagiaire ne peut plus en être "
                          "désinscrit."))
    if not unenrolment_open(session):
        raise Conflict(f"La session a commencé le {session.day1:%d/%m/%Y} : un stagiaire qui ne "
                       "vient pas y est déclaré absent sur la feuille de présence (R34) ; il ne "
                       f"peut plus être désinscrit (décision {UNENROLMENT_RULE}).")
    # the case's instance, as every command on a case, then the case and its enrolments read
    # again: a command on the case that committed meanwhile (its closing, LD4) is seen
    instance = journey.lock_instance(enr.case)
    case = journey.load_case(case_id, fresh=True)
    enr = next(e for e in case.enrollments if e.session_id == session.id)
    if enr.status != "enrolled":
        raise Conflict(f"Le dossier {case.reference} n'est plus inscrit à cette session "
                       "(son inscription est déjà annulée).")
    conformity_before = journey.conformity_now(case)  # R19: the watch hears only of a change
    # past the unit of work (services/row_writes), the statistics told first
    stat_counters.touch((case.id,))
    if not update_row(enr, {"status": "cancelled"}, expect={"status": "enrolled"}):
        raise Conflict(f"Le dossier {case.reference} n'est plus inscrit à cette session.")
    if case.session_id == session.id:
        update_row(case, {"session_id": None})
    audit.record(case, "desinscription", user.username, session=session.id, day1=session.day1,
                 day2=session.day2, reason=reason, regle=UNENROLMENT_RULE,
                 message=f"Désinscrit de la session n° {session.id} des "
                         f"{session.day1:%d/%m/%Y} et {session.day2:%d/%m/%Y} avant son début, "
                         f"motif : « {reason} ». Sa place est libérée ; le dossier revient en "
                         "attente d'inscription, l'échéance ne change pas (décision "
                         f"{UNENROLMENT_RULE}, R36).")
    journey.send(case, MSG_UNENROLLED, user.username, conformity_before=conformity_before,
                 instance=instance)
    return session


def enrolment_of(session: CourseSession, case_id: int) -> Enrollment:
    """The case's enrolment in the session, as stored now; 404 when it has none (an unknown
    case too: a centre learns nothing of a case that is not its trainee)."""
    enr = db.session.scalar(select(Enrollment).where(Enrollment.session_id == session.id,
                                                     Enrollment.case_id == case_id)
                            .execution_options(populate_existing=True))
    if enr is None:
        raise NotFound(f"Le dossier n° {case_id} n'est pas inscrit à la session n° {session.id}.")
    return enr


def check_attendance(session: CourseSession, records: list[dict], user) -> dict:
    """Every refusal `record_attendance` answers for this sheet, nothing written: {licence
    number: enrolment} of the trainees. The page checks a sheet before asking to confirm it."""
    centre_access.check(user, session.centre_id)
    _lock(session)
    if session.status == "cancelled":
        raise Conflict("La session est annulée.")
    if session.status == "held":
        raise Conflict("La présence de cette session est déjà enregistrée.")
    if clock().today() < session.day2:
        raise Conflict(f"La présence ne peut être enregistrée qu'à partir du second jour "
                       f"({session.day2:%d/%m/%Y}).")
    _load_trainee_cases(session)
    enrolled = {e.case.licence.number: e for e in active_enrollments(session)}
    errors: dict[str, list[str]] = {}
    seen = set()
    for i, rec in enumerate(records):
        if rec["licence"] not in enrolled:
            errors[f"records.{i}.licence"] = ["Ce permis n'est pas inscrit à la session."]
        elif rec["licence"] in seen:
            errors[f"records.{i}.licence"] = ["Ce permis apparaît deux fois."]
        seen.add(rec["licence"])
    missing = sorted(set(enrolled) - seen)
    if missing:
        errors["records"] = [f"Il manque la présence de : {', '.join(missing)}."]
    if errors:
        raise Invalid("La feuille de présence ne correspond pas aux inscrits.", errors)
    return enrolled


def attestations_of(records: list[dict]) -> list[tuple[dict, bool]]:
    """(record, attestation issued) for each record of an attendance sheet (R34), as
    `record_attendance` decides it: the clerks' and centres' page says it before."""
    return [(rec, eligibility.attestation_issued(rec["day1"], rec["day2"]).ok)
            for rec in records]


@command
def record_attendance(session: CourseSession, records: list[dict], user) -> CourseSession:
    enrolled = check_attendance(session, records, user)
    # R19: before the attendance (R34), so the deadline watch hears only of a change
    conformity_before = {enr.case_id: journey.conformity_now(enr.case)
                         for enr in enrolled.values()}
    # the trainees' instances first, in case order, as every command on a case: the rows are
    # written below, before the runs, past the unit of work (services/row_writes), the
    # statistics told first (they count the courses attended)
    instances = {enr.case_id: journey.lock_instance(enr.case)
                 for enr in sorted(enrolled.values(), key=lambda e: e.case_id)}
    stat_counters.touch(sorted(instances))
    update_row(session, {"status": "held"})
    for rec in records:
        issued = eligibility.attestation_issued(rec["day1"], rec["day2"])
        update_row(enrolled[rec["licence"]], {
            "status": "attended", "day1": rec["day1"], "day2": rec["day2"],
            "attestation_issued_on": session.day2 if issued.ok else None})
    flags = outcome.session_flags(session)
    for enr in session.enrollments:
        if enr.status != "attended":
            continue
        case = enr.case
        audit.record(case, "presence_enregistree", user.username, session=session.id,
                     day1=enr.day1, day2=enr.day2,
                     attestation=enr.attestation_issued_on is not None,
                     message=("Attestation de stage délivrée." if enr.attestation_issued_on else
                              "Pas d'attestation : stage non suivi en entier (R34) ; "
                              "le dossier revient en attente d'inscription."))
        changes = {"session_id": None} if enr.attestation_issued_on is None else {}
        case_flags = case.flags_with((flag.rule, flag.message) for flag in flags)
        if case_flags != (case.flags or []):
            changes["flags"] = case_flags
        if changes:
            update_row(case, changes)
        journey.send(case, "resultat_session", user.username,
                     conformity_before=conformity_before[case.id], instance=instances[case.id])
    return session


LATE_RULE = "R34"  # the attendance sheet (arrêté du 26 juin 2012)


def attendance_late(session: CourseSession, today=None, enrollments=None) -> bool:
    """Planned, trainees enrolled, its last day passed, and no attendance recorded yet: the
    centre is late (shown to the centre and to the clerks; `status` stays `planned`).
    `enrollments`: the session's, when the caller read them apart."""
    today = today or clock().today()
    enrolled = (active_enrollments(session) if enrollments is None
                else [e for e in enrollments if e.status == "enrolled"])
    return session.status == "planned" and today > session.day2 and bool(enrolled)


def late_flag(session: CourseSession) -> dict:
    return {"rule": LATE_RULE,
            "message": f"En retard : présences non saisies (dernier jour le "
                       f"{session.day2:%d/%m/%Y})."}


def _status_fr(status: str) -> str:
    return {"held": "tenue", "cancelled": "annulée", "planned": "planifiée"}[status]


def too_late_for(session: CourseSession, deadline) -> bool:
    """R19: the session ends too late for a case whose 4-month deadline is `deadline`."""
    return rconf.ends_after_deadline(session.day1, session.day2, deadline, rules_config())


@dataclass(frozen=True)
class Trainee:
    """What a session's view shows of one enrolment."""
    case_id: int
    licence: str
    status: str
    day1: str | None
    day2: str | None
    attestation_issued_on: object


def view(session: CourseSession) -> dict:
    trainees = [Trainee(e.case_id, e.case.licence.number, e.status, e.day1, e.day2,
                        e.attestation_issued_on) for e in session.enrollments]
    return _view(session, trainees, clock().today())


def _view(session: CourseSession, trainees, today) -> dict:
    return {
        "id": session.id, "centre": session.centre.agrement, "day1": session.day1,
        "day2": session.day2, "capacity": session.capacity,
        "driving_sequence": session.driving_sequence, "status": session.status,
        "cancelled_on": session.cancelled_on, "cancel_reason": session.cancel_reason,
        "enrollments": [{"case": t.case_id, "licence": t.licence, "status": t.status,
                         "day1": t.day1, "day2": t.day2,
                         "attestation_issued_on": t.attestation_issued_on} for t in trainees],
        "flags": [{"rule": f.rule, "message": f.message}
                  for f in outcome.session_flags(session, trainees)]
        + ([late_flag(session)] if attendance_late(session, today, trainees) else []),
    }
