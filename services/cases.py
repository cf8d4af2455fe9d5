"""Cases (dossiers): open one from a 48N or a voluntary request, enrol, receive the attestation."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, defer, joinedload

from services import (
    audit,
    centre_access,
    incidents,
    journey,
    licence_ledger,
    outcome,
    processes,
    reminders,
    replay,
    stat_counters,
    statuses,
    text_search,
)
from services.clock import clock
from services.db import command, db, paginate
from services.errors import Conflict, Invalid, NotFound, raise_all, sentences
from services.models import (
    Case,
    CourseSession,
    Enrollment,
    HumanTask,
    Infraction,
    Licence,
    ProcessInstance,
    ProcessVersion,
)
from services.row_writes import insert_row, keep_in_step, update_row
from services.rules import dates as rdates
from services.rules import eligibility
from services.rules import facts as rfacts
from services.rules import voluntary as rvoluntary
from services.settings import rules_config

PROCESS_BY_KIND = {"obligatoire": "stage_obligatoire", "volontaire": "stage_volontaire"}


def get(case_id: int) -> Case:
    case = journey.load_case(case_id)
    if case is None:
        raise NotFound(f"Aucun dossier n° {case_id}.")
    return case


@command
def create(data: dict, actor: str) -> Case:
    licence = db.session.scalar(select(Licence).where(Licence.number == data["licence"]))
    if licence is None:
        raise Invalid.field("licence", f"Permis inconnu : {data['licence']}.")
    today = clock().today()
    if outcome.invalidated(licence, today):
        raise Invalid.field("licence", "R42 : le permis est invalidé (48SI notifiée) ; aucun "
                            "stage ne peut plus produire de points.",
                            "R42 : permis invalidé, le dossier ne peut pas être ouvert.")
    if data["kind"] == "volontaire":
        _check_retrait_known(licence)
        _check_no_open_voluntary_case(licence)
    now = clock().now()
    case = Case(kind=data["kind"], licence_id=licence.id, status=statuses.NOUVEAU.code,
                obligation=None, flags=[], created_at=now, updated_at=now)
    infraction = _mandatory_facts(case, licence, data) if data["kind"] == "obligatoire" else None
    version = _version_for_new_case(PROCESS_BY_KIND[case.kind])
    # past the unit of work (services/row_writes.insert_row): with journey.start's, the opening of a
    # case flushes nothing; a new case has no enrolment, session or instance yet
    insert_row(case)
    stat_counters.created_cases((case.id,))
    for key, value in (("licence", licence), ("infraction", infraction), ("session", None),
                       ("enrollments", []), ("credited_enrollment", None), ("instance", None)):
        keep_in_step(case, key, value)
    update_row(case, {"reference": f"STG-{now.year}-{case.id:06d}"})
    audit.record(case, "dossier_ouvert", actor, kind=case.kind, deadline=case.deadline,
                 receipt=case.letter_receipt, process=f"{version.key} v{version.version}")
    journey.start(case, version, actor)
    return case


def _version_for_new_case(key: str):
    """The version in service of `key`; 409 for a clerk while there is none (a process
    designer deploys it, in the workspace)."""
    version = processes.in_service(key)
    if version is None:
        raise Conflict(f"Le dossier ne peut pas être ouvert : aucune version du processus "
                       f"« {key} » n'est déployée. Demandez à un concepteur de processus de "
                       "la déployer.")
    return version


def _check_retrait_known(licence: Licence) -> None:
    """R29: a voluntary course is for a holder who committed an infraction that gave rise to
    a retrait of points (docs/legal-decisions.md, LD13): 422 on `licence` otherwise, as for
    R42."""
    decision = rvoluntary.may_open(licence_ledger.licence_facts(licence),
                                   licence_ledger.retrait_facts(licence))
    if not decision.ok:
        raise Invalid.field("licence", decision.text,
                            "R29 : aucun retrait de points n'est connu pour ce permis ; le "
                            "dossier de stage volontaire ne peut pas être ouvert.")


def _check_no_open_voluntary_case(licence: Licence) -> None:
    """One open voluntary case per licence: a second request (a form sent twice) is a 409
    naming the open one. The licence row is locked first (FOR UPDATE on PostgreSQL; SQLite
    writers are serialised), so that of two concurrent requests exactly one opens a case."""
    db.session.execute(select(Licence.id).where(Licence.id == licence.id).with_for_update())
    open_ref = db.session.scalar(select(Case.reference).where(
        Case.licence_id == licence.id, Case.kind == "volontaire", Case.closed.is_(False)))
    if open_ref is not None:
        raise Conflict(f"Un dossier de stage volontaire est déjà ouvert pour ce permis "
                       f"({open_ref}) : complétez-le plutôt que d'en ouvrir un second.")


def _mandatory_facts(case: Case, licence: Licence, data: dict) -> Infraction:
    infraction = db.session.get(Infraction, data["infraction"])
    if infraction is None or infraction.licence_id != licence.id:
        raise Invalid.field("infraction", "Infraction inconnue pour ce permis.")
    if not infraction.triggers_48n:
        raise Invalid.field("infraction", "Cette infraction ne déclenche pas de lettre 48N.",
                            "R15 : l'infraction ne déclenche pas de stage obligatoire (retrait "
                            "d'au moins 3 points pendant la période probatoire, solde > 0).")
    if db.session.scalar(select(Case.id).where(Case.infraction_id == infraction.id)):
        raise Conflict("Un dossier existe déjà pour cette infraction.")
    letter = data["letter_48n"]
    receipt = letter["receipt"]
    received = letter.get("received_on")
    raise_all(letter_48n_problems(infraction, letter))
    cfg = rules_config()
    notified, flags = rdates.notification_date(receipt, received, cfg)
    case.infraction_id = infraction.id
    case.letter_sent_on = letter["sent_on"]
    case.letter_receipt = receipt
    case.letter_received_on = received
    case.notified_on = notified
    case.deadline = rdates.deadline_4_months(notified, cfg) if notified else None
    case.obligation = "pending"
    case.flags = [{"rule": f.rule, "message": f.message} for f in flags]
    return infraction


def letter_48n_problems(infraction: Infraction, letter: dict) -> list[rfacts.Problem]:
    """D11, R10, and no date after today: every problem of the 48N notifying `infraction`'s
    retrait, as (field path, French message). `letter` is the API schema's `letter_48n`: whole
    (`create`), or only the fields the schema accepted (a clerk's form refused for its other
    fields, so that one answer tells everything: web/ui/formdata.py); a check whose inputs are
    absent is skipped."""
    return rfacts.letter_problems(
        receipt=letter.get("receipt"), sent_on=letter.get("sent_on"),
        received_on=letter.get("received_on"), decision_on=infraction.decision_on,
        today=clock().today())


@command
def enroll(case: Case, session_id: int, user) -> Case:
    session = db.session.get(CourseSession, session_id)
    if session is None:
        raise Invalid.field("session", f"Session inconnue : {session_id}.")
    centre_access.check(user, session.centre_id)
    # the instance first, as every command on a case (the enrolment and the case are written
    # below, before the run); a concurrent command on the case has then committed
    instance = journey.lock_instance(case)
    if case.closed:
        raise Conflict("Le dossier est clos.")
    check_session_open(session, user)
    if outcome.invalidated(case.licence, clock().today()):
        raise Conflict("R42 : le permis est invalidé (48SI notifiée) ; l'inscription est refusée.")
    # a seat given back in this session (an un-enrolment, LD16) is taken again: the same row
    earlier = next((e for e in case.enrollments if e.session_id == session.id), None)
    if earlier is not None and earlier.status != "cancelled":
        raise Conflict("Le dossier est déjà inscrit à cette session.")
    if any(e.status == "enrolled" for e in case.enrollments):
        raise Conflict("Le dossier est déjà inscrit à une autre session.")
    conformity_before = journey.conformity_now(case)  # R19: the watch hears only of a change
    flags = ()
    if case.kind == "obligatoire":
        flags = eligibility.enrollment_flags(case.notified_on, case.deadline, session.day1,
                                             session.day2, rules_config())
    _seat(case, session, flags, earlier)
    if not journey.send(case, "inscription", user.username, conformity_before=conformity_before,
                        instance=instance):
        raise Conflict("Le dossier n'attend pas d'inscription (statut : "
                       f"{case.status}).")
    late = session.day1 < clock().today()  # recorded after the course began: said in history
    audit.record(case, "inscription", user.username, session=session.id, day1=session.day1,
                 day2=session.day2, flags=[f.rule for f in flags],
                 **({"inscription_tardive": True} if late else {}))
    return case


def _seat(case: Case, session: CourseSession, flags, earlier: Enrollment | None = None) -> None:
    """The case's enrolment in `session`, and the case pointed at it with the eligibility's
    flags, written past the unit of work (services/row_writes.insert_row, update_row): with the
    write-back's, the command then flushes nothing. The enrolment joins the collections the
    run's facts read (the case's, the session's) as a loaded row would. `earlier`: the case's
    cancelled enrolment in this session (un-enrolled, LD16), enrolled again."""
    stat_counters.touch((case.id,))  # the statistics count a course by its session
    if earlier is not None:
        if not update_row(earlier, {"status": "enrolled"}, expect={"status": "cancelled"}):
            raise Conflict("Le dossier est déjà inscrit à cette session.")
    else:
        enr = Enrollment(session_id=session.id, case_id=case.id, status="enrolled",
                         created_at=clock().now())
        try:
            insert_row(enr)
        except IntegrityError:  # the same seat taken by a command that committed meanwhile
            raise Conflict("Le dossier est déjà inscrit à cette session.") from None
        keep_in_step(enr, "case", case)
        keep_in_step(enr, "session", session)
        for parent in (case, session):
            if "enrollments" not in inspect(parent).unloaded:
                keep_in_step(parent, "enrollments", [*parent.enrollments, enr])
    update_row(case, {"session_id": session.id,
                      "flags": case.flags_with((f.rule, f.message) for f in flags)})


def check_session_open(session: CourseSession, user=None) -> None:
    """409 when the session itself takes no more trainees (whoever the trainee); for a centre
    (`user`), also once its first day is over: the prefecture alone records a late enrolment,
    which its history then shows (docs/legal-decisions.md)."""
    if (user is not None and centre_access.is_centre(user)
            and session.day1 < clock().today()):
        raise Conflict(f"La session a commencé le {session.day1:%d/%m/%Y} : un centre n'y inscrit "
                       "plus de stagiaire. Pour régulariser une inscription, adressez-vous à "
                       "la préfecture.")
    if session.status == "cancelled":
        raise Conflict("La session est annulée (R36).")
    if session.status == "held":
        raise Conflict("La session a déjà eu lieu.")
    seats = sum(1 for e in session.enrollments if e.status == "enrolled")
    if seats >= session.capacity:
        raise Conflict(f"La session est complète ({session.capacity} place"
                       f"{'s' if session.capacity > 1 else ''}).")


def waiting_case(number: str) -> Case | None:
    """The case of licence `number` waiting for an enrolment (the nearest deadline first)."""
    return db.session.scalar(
        select(Case).join(Licence, Case.licence_id == Licence.id)
        .where(func.upper(Licence.number) == number.strip().upper(),
               Case.status == statuses.EN_ATTENTE_INSCRIPTION.code)
        .order_by(Case.deadline.is_(None), Case.deadline, Case.id))


def no_waiting_case(number: str, field: str = "licence") -> Invalid:
    return Invalid.field(field, "Aucun dossier en attente d'inscription pour le permis "
                         f"« {number.strip()} ».")


@command
def enroll_licence(session: CourseSession, number: str, user, field: str = "licence") -> Case:
    """Enrol the waiting case of licence `number` in `session`: how a centre enrols a trainee.

    The session's own refusals (409) come first, whoever the trainee; then an unknown licence, a
    licence with no case waiting and every refusal that depends on the case (R42, enrolled
    elsewhere…) get one and the same 422: a centre learns nothing of a case it cannot enrol."""
    centre_access.check(user, session.centre_id)
    check_session_open(session, user)
    case = waiting_case(number)
    if case is None:
        raise no_waiting_case(number, field)
    try:
        return enroll(case, session.id, user)
    except incidents.IncidentRaised as exc:  # recorded once rolled back; its details hidden
        raise incidents.HiddenIncident(exc) from None
    except Conflict:
        raise no_waiting_case(number, field) from None


@command
def receive_attestation(case: Case, received_on, actor: str) -> Case:
    # the instance first, as every command on a case: its enrolment's row is written below,
    # before the run, and two commands must never take the two rows in opposite orders
    instance = journey.lock_instance(case)
    enr = outcome.latest_attended(case)
    if enr is None or enr.attestation_issued_on is None or enr.credit_decision is not None \
            or enr.verification is not None:
        raise Conflict("Aucune attestation n'a été délivrée pour ce dossier (R34, R38).")
    raise_all(rfacts.attestation_receipt_problems(
        received_on, enr.attestation_issued_on, clock().today()))
    if enr.attestation_received_on is not None:
        raise Conflict("L'attestation a déjà été reçue.")
    # past the unit of work (services/row_writes.update_row): this command then flushes nothing
    stat_counters.touch((case.id,))  # the statistics count the receipt
    update_row(enr, {"attestation_received_on": received_on})
    if not journey.send(case, "attestation_recue", actor, instance=instance):
        if not _review_open(case):
            raise Conflict("Le dossier n'attend pas d'attestation.")
        # A document that arrived is never refused (issue 16, LD4): recorded, the open manual
        # review decides (a 48SI notified before the course credits 0, R42)
        message = ("R42 : attestation reçue le " + received_on.strftime("%d/%m/%Y")
                   + " pendant l'examen manuel : enregistrée, l'agent décide du crédit "
                   "(0 point si la 48SI a été notifiée avant le stage)")
        case.add_flag("R42", message)
        audit.record(case, "attestation_recue", actor, received_on=received_on,
                     credit_due_on=rdates.credit_due_on(received_on), message=message)
        return case
    audit.record(case, "attestation_recue", actor, received_on=received_on,
                 credit_due_on=rdates.credit_due_on(received_on),
                 message="Délai d'un mois (R223-8 III) pour la reconstitution (R39, D4).")
    return case


def _review_open(case: Case) -> bool:
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.key == statuses.TASK_EXAMEN_MANUEL,
        HumanTask.state == "open")) > 0


def _instance_for_view(case: Case) -> ProcessInstance | None:
    """The instance without what the page never shows: the engine state and the BPMN source."""
    return db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.case_id == case.id)
        .options(defer(ProcessInstance.state_json),
                 joinedload(ProcessInstance.version, innerjoin=True)
                 .load_only(ProcessVersion.key, ProcessVersion.version)))


def list_cases(status, licence, q, overdue, page, per_page):
    return paginate(case_query(status, licence, q, overdue), CASE_ORDER, page, per_page)


CASE_ORDER = (Case.id.desc(),)


def case_query(status, licence, q, overdue):
    """The cases found by these filters (the list, and its export: every row)."""
    # each row's licence from the join (a list shows each holder), not one query each
    query = (select(Case).join(Licence, Case.licence_id == Licence.id)
             .options(contains_eager(Case.licence)))
    if status:
        query = query.where(Case.status == status)
    if licence:
        query = query.where(Licence.number == licence)
    if q:
        query = query.where(Case.id.in_(text_search.matching_ids(q)))
    if overdue:  # as the case page and the dashboard say it (outcome.deadline_overdue)
        query = query.where(Case.deadline < clock().today(), Case.closed.is_(False),
                            outcome.deadline_open_clause())
    return query


def open_tasks(case: Case) -> list[HumanTask]:
    return db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.state == "open").order_by(HumanTask.id)).all()


def view(case: Case, lg=None, tasks: list[HumanTask] | None = None) -> dict:
    """`lg` and `tasks`: the licence's ledger and the case's open tasks when the caller has
    read them already (the UI's case page shows them too)."""
    instance = _instance_for_view(case)
    tasks = open_tasks(case) if tasks is None else tasks
    lg = lg or licence_ledger.replay(case.licence)  # replayed once for the credit and the flags
    credit = outcome.credit_for(case, lg)
    proposal = replay.pending(case)  # a recomputed outcome waiting for a clerk (issue 16)
    timers = list(instance.timers or []) if instance is not None else []
    attested = outcome.latest_attended(case)
    attestation = None
    if attested is not None and attested.attestation_issued_on is not None:
        attestation = {
            "issued_on": attested.attestation_issued_on,
            # D5 / R38: the centre sends its copy within 15 days of the course's end
            "transmission_deadline": rdates.centre_transmission_deadline(attested.session.day2),
            "received_on": attested.attestation_received_on,
        }
    return {
        "id": case.id, "reference": case.reference, "kind": case.kind,
        "licence": case.licence.number, "holder": case.licence.holder_name,
        "status": case.status, "status_label": statuses.label_of(case), "closed": case.closed,
        "process": {"key": instance.version.key, "version": instance.version.version}
        if instance else None,
        "letter_48n": ({"sent_on": case.letter_sent_on, "receipt": case.letter_receipt,
                        "received_on": case.letter_received_on}
                       if case.kind == "obligatoire" else None),
        "infraction": case.infraction_id,
        "deadline": case.deadline, "credit_due_on": outcome.credit_due_on(case),
        "session": case.session_id,
        "attestation": attestation,
        "tasks": [{"id": t.id, "key": t.key, "title": t.title} for t in tasks],
        "timers": timers,
        "flags": outcome.case_flags(case, lg) + reminders.flags(tasks)
        + replay.pending_flags(proposal),
        "pending_change": replay.view(proposal),
        "outcome": {
            "obligation": case.obligation if case.kind == "obligatoire" else None,
            "points_credited": credit["points_credited"], "effect_on": credit["effect_on"],
            "balance_after": credit["balance_after"], "credit_refusal": credit["credit_refusal"],
            "explanation": sentences(t for t in (credit["explanation"],
                                                 outcome.review_explanation(case)) if t) or None,
            "refund": case.refund if case.kind == "obligatoire" else None,
            "referral": case.referral,
        },
    }
