"""Licences, infractions and invalidations (48SI), and the ledger as the API shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from services import audit, journey, licence_ledger, text_search
from services.clock import clock
from services.db import MAX_ROW_ID, command, db, paginate
from services.errors import Conflict, NotFound, raise_all
from services.models import Case, CourseSession, Enrollment, Infraction, Invalidation, Licence
from services.row_writes import insert_row, keep_in_step
from services.rules import dates as rdates
from services.rules import eligibility
from services.rules import facts as rfacts
from services.rules import refund as rrefund
from services.rules.explain import Decision
from services.rules.ledger import LicenceFacts
from services.settings import rules_config


def get(number: str) -> Licence:
    licence = db.session.scalar(select(Licence).where(Licence.number == number))
    if licence is None:
        raise NotFound(f"Aucun permis n° {number}.")
    return licence


def infraction_of(licence: Licence, infraction_id: int) -> Infraction:
    infraction = (db.session.get(Infraction, infraction_id)
                  if 0 < infraction_id <= MAX_ROW_ID else None)
    if infraction is None or infraction.licence_id != licence.id:
        raise NotFound(f"Aucune infraction n° {infraction_id} sur le permis n° {licence.number}.")
    return infraction


def search(q: str, page: int = 1, per_page: int = 20) -> tuple[list[Licence], int]:
    """Licences whose number, last name or first name contains `q` (case-insensitive)."""
    return paginate(search_query(q), SEARCH_ORDER, page, per_page)


SEARCH_ORDER = (Licence.last_name, Licence.first_name, Licence.id)


def search_query(q: str):
    """The licences found by `q` (the search page, and its export: every row); % and _ are
    searched as typed, never wildcards."""
    return select(Licence).where(Licence.id.in_(text_search.licence_ids(q)))


@command
def create(data: dict, actor: str) -> Licence:
    if db.session.scalar(select(Licence.id).where(Licence.number == data["number"])):
        raise Conflict(f"Le permis n° {data['number']} existe déjà.")
    balance = data.get("balance")
    holder = data["holder"]
    raise_all(licence_problems(data))
    licence = Licence(number=data["number"], last_name=holder["last_name"],
                      first_name=holder["first_name"], birth_date=holder["birth_date"],
                      obtained_on=data["obtained_on"], probation=data["probation"],
                      formation_complementaire=bool(data.get("formation_complementaire")),
                      imported_points=balance["points"] if balance else None,
                      imported_on=balance["on"] if balance else None,
                      created_at=clock().now(),
                      search_key=text_search.search_key(data["number"], holder["last_name"],
                                                        holder["first_name"]))
    try:
        insert_row(licence)  # past the unit of work (services/row_writes.insert_row): no flush
    except IntegrityError:  # the same number, by a command that committed meanwhile
        raise Conflict(f"Le permis n° {data['number']} existe déjà.") from None
    keep_in_step(licence, "infractions", [])
    keep_in_step(licence, "invalidations", [])
    return licence


def licence_problems(data: dict) -> list[rfacts.Problem]:
    """Every impossible fact of a new licence's data (R2, LD15, D7, R4, Q5), as (field path,
    French message). `data` is the API schema's: whole (`create`), or only the fields the schema
    accepted (a clerk's form refused for its other fields, so that one answer tells everything:
    web/ui/formdata.py); a check whose inputs are absent is skipped (services/rules/facts.py)."""
    today = clock().today()
    obtained_on, probation = data.get("obtained_on"), data.get("probation")
    formation = bool(data.get("formation_complementaire"))
    problems = rfacts.licence_problems(obtained_on, (data.get("holder") or {}).get("birth_date"),
                                       today)
    if probation is not None and probation not in ("classic", "aac") and formation:
        problems.append(("formation_complementaire",
                         "La formation complémentaire ne concerne qu'un permis probatoire."))
    balance = data.get("balance")
    if balance:
        facts = None if obtained_on is None or probation is None else LicenceFacts(
            obtained_on=obtained_on, probation=probation, formation_complementaire=formation)
        problems += rfacts.imported_balance_problems(
            balance.get("points"), balance.get("on"), today, facts,
            rules_config().negative_balance)
    return problems


@dataclass(frozen=True)
class RecordedInfraction:
    infraction: Infraction
    trigger: Decision  # R15/R16/R11: why it gives rise to a letter 48N or not


@command
def record_infraction(licence: Licence, data: dict, actor: str) -> RecordedInfraction:
    fine = data.get("fine") or {}
    raise_all(infraction_problems(licence, data))
    infraction = Infraction(
        licence_id=licence.id, committed_on=data["committed_on"], points=data["points"],
        offence_class=data["offence_class"], label=data["label"],
        established_on=data.get("established_on"), decision_on=data["decision_on"],
        fine_amount=fine.get("amount"), fine_kind=fine.get("kind"),
        fine_paid_on=fine.get("paid_on"),
        recorded_at=clock().now())
    inputs = licence_ledger.ledger_inputs(licence)
    new = licence_ledger.retrait_of(infraction)  # not flushed yet: its ref is "infraction:None"
    same_day = [r for r in inputs.retraits if r.committed_on == new.committed_on]
    decision = eligibility.triggers_48n(inputs.licence, new, inputs.replay(), same_day,
                                        rules_config(), ledger_after=inputs.replay((new,)))
    infraction.triggers_48n = decision.ok
    insert_row(infraction)  # past the unit of work (services/row_writes.insert_row): no flush
    keep_in_step(infraction, "licence", licence)
    if "infractions" not in inspect(licence).unloaded:
        keep_in_step(licence, "infractions", [*licence.infractions, infraction])
    return RecordedInfraction(infraction, decision)


def infraction_problems(licence: Licence, data: dict) -> list[rfacts.Problem]:
    """Every impossible fact of a new infraction of `licence` (R2, R5, R7, R8, LD14, LD15), as
    (field path, French message); `data` whole or partial, as for `licence_problems`."""
    fine = data.get("fine") or {}
    committed_on, points = data.get("committed_on"), data.get("points")
    problems = rfacts.infraction_date_problems(
        obtained_on=licence.obtained_on, committed_on=committed_on,
        decision_on=data.get("decision_on"), established_on=data.get("established_on"),
        paid_on=fine.get("paid_on"), today=clock().today())
    problems += rfacts.fine_amount_problems(fine.get("amount"), data.get("offence_class"))
    if points is not None and committed_on is not None:
        same_day = [i.points for i in licence.infractions if i.committed_on == committed_on]
        problems += rfacts.retrait_amount_problems(data.get("offence_class"), points,
                                                   committed_on, same_day)
    return problems


def add_infraction(licence: Licence, data: dict, actor: str) -> Infraction:
    return record_infraction(licence, data, actor).infraction


def infraction_view(recorded: RecordedInfraction) -> dict:
    """The API's answer to a new infraction: the infraction and why it triggers a 48N or not."""
    i = recorded.infraction
    fine = None if i.fine_kind is None else {
        "amount": rrefund.json_amount(i.fine_amount),
        "kind": i.fine_kind, "paid_on": i.fine_paid_on.isoformat() if i.fine_paid_on else None}
    return {"id": i.id, "licence": i.licence.number, "committed_on": i.committed_on,
            "points": i.points, "offence_class": i.offence_class, "label": i.label,
            "established_on": i.established_on, "decision_on": i.decision_on, "fine": fine,
            "triggers_48n": i.triggers_48n, "explanation": recorded.trigger.text}


@command
def add_invalidation(licence: Licence, data: dict, actor: str) -> Invalidation:
    raise_all(invalidation_problems(licence, data))
    inv = Invalidation(licence_id=licence.id, decision_on=data["decision_on"],
                       notified_on=data.get("notified_on"), recorded_at=clock().now())
    db.session.add(inv)
    db.session.flush()
    # Q8: every open mandatory case of this licence goes to a clerk's manual review.
    open_cases = db.session.scalars(select(Case).where(
        Case.licence_id == licence.id, Case.closed.is_(False))).all()
    for case in open_cases:
        audit.record(case, "invalidation_48si", actor, decision_on=inv.decision_on,
                     notified_on=inv.notified_on, regle="R42")
        journey.send(case, "invalidation_48si", actor)
    # R42/LD3: a 48SI registered after a case's refund was decided refuses it now; the case
    # history and a flag say so (a decided case is never changed silently)
    from services import replay
    replay.after_late_fact(licence, actor, "48SI enregistrée après la décision")
    return inv


def invalidation_problems(licence: Licence, data: dict) -> list[rfacts.Problem]:
    """Every impossible fact of a 48SI of `licence` (R6, LD15); `data` whole or partial, as for
    `licence_problems`."""
    return rfacts.invalidation_problems(data.get("decision_on"), data.get("notified_on"),
                                        licence.obtained_on, clock().today())


def view(licence: Licence, on: dt.date | None = None, lg=None) -> dict:
    """`lg`: the licence's ledger when the caller has replayed it already (a page's chart)."""
    today = on or clock().today()
    lg = lg or licence_ledger.replay(licence)
    return {
        "number": licence.number,
        "holder": {"last_name": licence.last_name, "first_name": licence.first_name,
                   "birth_date": licence.birth_date},
        "obtained_on": licence.obtained_on, "probation": licence.probation,
        "formation_complementaire": licence.formation_complementaire,
        "probation_ends_on": rdates.probation_end(licence.obtained_on, licence.probation,
                                                  licence.formation_complementaire),
        "balance": lg.balance_on(today), "cap": lg.cap_on(today), "valid": lg.valid_on(today),
        "flags": [{"rule": f.rule, "message": f.message} for f in lg.flags(today)],
        "movements": _movements([m for m in lg.movements if m.effective_on <= today], licence),
    }


def _movements(movements: list, licence: Licence) -> list[dict]:
    recorded = _recorded_at(movements, licence)
    return [{"kind": m.kind, "points": m.points, "effective_on": m.effective_on,
             "recorded_at": recorded(m), "ref": m.ref,
             "explanation": m.explanation.message if m.explanation else None}
            for m in movements]


def _recorded_at(movements: list, licence: Licence):
    """When each movement was recorded (API.md `recorded_at`): a `solde` (the initial capital or
    the imported balance) with the licence, a `retrait` with its infraction, a `stage` when its
    credit was decided; a `majoration` or a `restitution` is the law's, on its date, recorded by
    nobody: null. One read of the credited enrolments, only when a course is in the ledger."""
    infractions = {f"infraction:{i.id}": i.recorded_at for i in licence.infractions}
    stage_ids = [int(m.ref.split(":", 1)[1]) for m in movements
                 if m.kind == "stage" and m.ref and m.ref.startswith("stage:")]
    courses = {}
    if stage_ids:
        courses = {licence_ledger.course_ref(e): e.credited_at for e in db.session.scalars(
            select(Enrollment).where(Enrollment.id.in_(stage_ids)))}

    def recorded(m) -> dt.datetime | None:
        if m.kind == "solde":
            return licence.created_at
        if m.kind == "retrait":
            return infractions.get(m.ref)
        if m.kind == "stage":
            return courses.get(m.ref)
        return None

    return recorded


def movement_sources(licence: Licence, refs) -> dict[str, str]:
    """What each ledger reference (`stage:<enrolment>`, `infraction:<id>`, the API's `ref`) is,
    for a clerk: « Stage du 21/10/2026 au 22/10/2026 (dossier STG-2026-000007) », « Infraction
    du 28/08/2026 (Excès de vitesse) » (a QA finding: the ledger's export showed `stage:2`). One
    read of the enrolments named; a reference of nothing known is left out."""
    out = {f"infraction:{i.id}": f"Infraction du {i.committed_on:%d/%m/%Y} ({i.label})"
           for i in licence.infractions}
    stage_ids = [int(ref.split(":", 1)[1]) for ref in set(refs)
                 if ref and ref.startswith("stage:") and ref.split(":", 1)[1].isdigit()]
    if stage_ids:
        for enr, session, reference in db.session.execute(
                select(Enrollment, CourseSession, Case.reference)
                .join(CourseSession, Enrollment.session_id == CourseSession.id)
                .join(Case, Enrollment.case_id == Case.id)
                .where(Enrollment.id.in_(stage_ids))):
            out[licence_ledger.course_ref(enr)] = (
                f"Stage du {session.day1:%d/%m/%Y} au {session.day2:%d/%m/%Y} "
                f"(dossier {reference})")
    return out


def balance(licence: Licence, on: dt.date) -> dict:
    lg = licence_ledger.replay(licence)
    return {"on": on, "balance": lg.balance_on(on), "cap": lg.cap_on(on), "valid": lg.valid_on(on)}
