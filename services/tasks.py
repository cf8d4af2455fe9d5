"""The clerks' tasklist: claim, unclaim, complete (of two concurrent completions, one wins)."""

from __future__ import annotations

import json
from collections import Counter

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services import (
    audit,
    bundles,
    cases,
    groups,
    journey,
    outcome,
    stat_counters,
    statuses,
    task_counters,
)
from services.clock import clock
from services.db import command, db, paginate
from services.errors import Conflict, Invalid, NotFound
from services.models import Case, CaseEvent, HumanTask, ProcessInstance
from services.row_writes import update_row
from services.rules import conformity as rconf
from services.settings import rules_config
from workflows import TaskNotReady
from workflows.forms import with_blanks

# a task's state (the API's `state`, its filter and its answer: web/api/schemas.py)
STATES = ("open", "completed", "cancelled")


def get(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"Aucune tâche n° {task_id}.")
    return task


def list_tasks(user, case_id, key, mine, state, page, per_page, my_groups=False):
    # the order of ix_human_tasks_open_due / _key_due (migration 0003): no sort, no scan
    # the total: the task counters (constant cost), or a count of one case's few tasks;
    # « mes groupes » (which the counters do not split): an index range of
    # ix_human_tasks_group_due (migration 0013_groups) is counted
    total = None if case_id or my_groups else task_counters.count(
        state=state or None, key=key or None, assignee_id=user.id if mine else None)
    items, total = paginate(task_query(user, case_id, key, mine, state, my_groups)
                            .options(selectinload(HumanTask.assignee)), TASK_ORDER, page,
                            per_page, total)
    preload_forms(items)
    return items, total


TASK_ORDER = (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id)


def task_query(user, case_id, key, mine, state, my_groups=False):
    """The API's task list filters (the list, and its export: every row)."""
    query = select(HumanTask)
    if my_groups:
        query = query.where(groups.in_my_groups(user))
    if case_id:
        query = query.where(HumanTask.case_id == case_id)
    if key:
        query = query.where(HumanTask.key == key)
    if mine:
        query = query.where(HumanTask.assignee_id == user.id)
    if state:
        query = query.where(HumanTask.state == state)
    return query


def preload_forms(items) -> None:
    """Resolve the forms of these tasks (their cases' versions read in one query)."""
    versions = bundles.case_versions(t.case_id for t in items)
    for task in items:
        task.__dict__["_task_form"] = _resolve(task, versions.get(task.case_id))


def _resolve(task: HumanTask, version: tuple[int, str] | None) -> bundles.TaskForm:
    if version is None:
        return bundles.TaskForm(None, bundles.empty_schema(task.title))
    return bundles.version_forms(*version).task(task.key, statuses.task_title(task.key)
                                                if task.key in statuses.TASK_KEYS else None)


def answered(case_id: int, limit: int = 50) -> list[HumanTask]:
    """The case's completed tasks that took data, oldest first, their forms resolved."""
    items = db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case_id, HumanTask.state == "completed",
        HumanTask.data.is_not(None)).order_by(HumanTask.completed_at, HumanTask.id)
        .limit(limit)).all()
    preload_forms(items)
    return list(items)


def task_form(task: HumanTask) -> bundles.TaskForm:
    """The task's form in its case's version: the form-js document, its JSON Schema, or why it
    cannot be read (a French message; never an error)."""
    found = task.__dict__.get("_task_form")
    if found is None:
        found = _resolve(task, bundles.case_versions([task.case_id]).get(task.case_id))
        task.__dict__["_task_form"] = found
    return found


def form_for_display(task: HumanTask) -> dict:
    """A task's form (JSON Schema) to serialise: one shared copy per version and task key,
    never changed by its readers."""
    return task_form(task).schema


def _lock(task_id: int) -> tuple[HumanTask, Case, ProcessInstance]:
    """Lock the case's instance first, then read the task fresh, so a concurrent winner is seen."""
    task = get(task_id)
    case = cases.get(task.case_id)  # with the graph the facts read
    instance = journey.lock_instance(case)
    db.session.refresh(task)
    return task, case, instance


@command
def claim(task_id: int, user) -> HumanTask:
    task, case, _ = _lock(task_id)
    _check_open(task)
    groups.check_may_take(task, user)
    if task.assignee_id not in (None, user.id):
        raise Conflict(f"La tâche est déjà prise par {task.assignee.username}.")
    if task.assignee_id is None:
        _assign(task, user.id)
        audit.record(case, "tache_prise", user.username, task=task.key)
    return task


@command
def unclaim(task_id: int, user) -> HumanTask:
    task, case, _ = _lock(task_id)
    _check_open(task)
    if task.assignee_id not in (None, user.id) and user.role != "admin":
        raise Conflict(f"La tâche est prise par {task.assignee.username}.")
    if task.assignee_id is not None:
        _assign(task, None)
        audit.record(case, "tache_rendue", user.username, task=task.key)
    return task


def _assign(task: HumanTask, assignee_id: int | None) -> None:
    """Take or hand back a task: a claim then flushes nothing (the statistics do not count
    who holds a task)."""
    _write_task(task, {"assignee_id": assignee_id})


def _write_task(task: HumanTask, values: dict) -> None:
    """Change a task's row past the unit of work (services/row_writes.update_row), and move
    its task counter as their flush hook would have."""
    before = task_counters.triple(task.key, task.assignee_id, task.state)
    update_row(task, values)
    after = task_counters.triple(task.key, task.assignee_id, task.state)
    if after != before:
        task_counters.apply(db.session.connection(), Counter({before: -1, after: 1}))


def validate_data(task: HumanTask, data: dict) -> None:
    check_data(task_form(task), data)


def check_data(found: bundles.TaskForm, data: dict) -> None:
    """The clerk's data against a task's form (its JSON Schema): Invalid with French messages
    keyed `data.<key>`. Also what a designer's preview of a form runs (services/design/
    form_preview.py), so both say the same."""
    if found.problem:
        raise Invalid(found.problem, {"data": [found.problem]})
    validator = jsonschema.Draft202012Validator(
        found.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for err in validator.iter_errors(data):
        path = ".".join(["data", *[str(p) for p in err.absolute_path]])
        if err.validator == "required":
            missing = err.message.split("'")[1]
            path = f"data.{missing}"
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            for extra in sorted(set(err.instance) - set(err.schema.get("properties", {}))):
                errors.setdefault(f"{path}.{extra}", []).append(_message_fr(err))
            continue
        errors.setdefault(path, []).append(_message_fr(err))
    if errors:
        raise Invalid("Les données de la tâche ne correspondent pas à son formulaire.", errors)


TYPE_NAMES = {"string": "texte", "number": "nombre", "integer": "nombre entier",
              "boolean": "vrai ou faux", "object": "objet", "array": "liste"}


def _message_fr(err) -> str:
    if err.validator == "required":
        return "Champ obligatoire."
    if err.validator == "enum":
        return "Valeur non permise ; valeurs possibles : " + ", ".join(
            str(v) for v in err.validator_value) + "."
    if err.validator == "type":
        return f"Type attendu : {TYPE_NAMES.get(err.validator_value, err.validator_value)}."
    if err.validator == "additionalProperties":
        return "Champ inconnu."
    if err.validator == "minLength":
        return ("Ne peut pas être vide." if err.validator_value <= 1
                else f"Au moins {err.validator_value} caractères.")
    if err.validator == "maxLength":
        return f"Au plus {err.validator_value} caractères."
    if err.validator == "minimum":
        return f"Doit être supérieur ou égal à {err.validator_value}."
    if err.validator == "maximum":
        return f"Doit être inférieur ou égal à {err.validator_value}."
    if err.validator == "pattern":
        return "Format invalide."
    if err.validator == "format":
        return "Date invalide (AAAA-MM-JJ attendu)."
    if err.validator == "const":
        return "Case à cocher obligatoire."
    return "Valeur invalide."


@command
def complete(task_id: int, data: dict, user) -> Case:
    task, case, instance = _lock(task_id)
    _check_completion(task, case, data, user)
    _close(task, user, data)
    _record_decision(case, task.key, data)
    audit.record(case, "tache_terminee", user.username, task=task.key, title=task.title, **data)

    # every field of the form reaches the engine, a left-out one blank (workflows/forms.py);
    # the task and its history keep what the caller sent
    engine_data = with_blanks(task_form(task).form, data)

    def event(run):
        try:
            run.complete_task(task.key, engine_data)
        except TaskNotReady:
            raise Conflict("La tâche n'est plus à faire.") from None
        if task.key == statuses.TASK_VERIFICATION_ATTESTATION:  # the course's fate is known (R19)
            run.send_message(journey.CONFORMITY_CHANGED)

    journey.apply(case, user.username, event, instance=instance,
                  command=f"tâche « {task.key} »")
    return case


def check_completion(task_id: int, data: dict, user) -> HumanTask:
    """Every refusal `complete` would answer for these data, nothing written: the clerks' page
    checks a decision before asking to confirm it (web/ui/case_pages.py)."""
    task = get(task_id)
    _check_completion(task, cases.get(task.case_id), data, user)
    return task


def _check_completion(task: HumanTask, case: Case, data: dict, user) -> None:
    _check_open(task)
    groups.check_may_take(task, user)
    if task.assignee_id not in (None, user.id):
        raise Conflict(f"La tâche est prise par {task.assignee.username}.")
    validate_data(task, data)
    if task.key == statuses.TASK_EXAMEN_MANUEL:
        _check_review_applies(case, data)


def decision_consequences(task: HumanTask, data: dict) -> tuple[str, ...]:
    """What the law makes of these data, in French, for a clerk about to confirm them: the
    refusal of the contract's attestation check (R19, R21, R48); nothing for other data."""
    if task.key != statuses.TASK_VERIFICATION_ATTESTATION or data.get("decision") != "refuser":
        return ()
    case = cases.get(task.case_id)
    return rconf.refused_attestation_consequences(
        case.kind == "obligatoire", case.obligation, case.deadline, clock().today(),
        rules_config())


def claimed_at(task: HumanTask):
    """When the task's holder took it (its history's latest « tâche prise » by them for this
    task's key), or None: not held, or held without a claim (a migration kept its holder)."""
    if task.assignee is None:
        return None
    claims = db.session.execute(
        select(CaseEvent.at, CaseEvent.detail).where(
            CaseEvent.case_id == task.case_id, CaseEvent.type == "tache_prise",
            CaseEvent.actor == task.assignee.username)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).all()
    return next((at for at, detail in claims
                 if isinstance(detail, dict) and detail.get("task") == task.key), None)


def _close(task: HumanTask, user, data: dict) -> None:
    """The task completed by `user`; the statistics told first (the open tasks by age)."""
    stat_counters.touch((task.case_id,))
    _write_task(task, {"assignee_id": user.id, "state": "completed",
                       "completed_at": clock().now(), "completed_by": user.username,
                       "data": json.dumps(data, ensure_ascii=False)})


def _record_decision(case: Case, key: str, data: dict) -> None:
    """The verification decision belongs to the course (R19 conformity reads it); so do the
    manual review's separate choices on the obligation and the refund (R19, R48). Written past
    the unit of work (services/row_writes.update_row); the statistics were told (`_close`)."""
    if key == statuses.TASK_EXAMEN_MANUEL:
        enr = outcome.pending_course(case)
        if enr is not None:
            update_row(enr, {"review_obligation": data.get("obligation"),
                             "review_refund": data.get("remboursement")})
        elif case.obligation == "manual_review" and data.get("obligation"):
            # Q8: the review of a 48SI with no course to credit decides the obligation itself;
            # it no longer stays « en examen manuel » on the closed case (a QA finding)
            update_row(case, {"obligation": "met" if data["obligation"] == "remplie"
                              else "not_met"})
        return
    if key != statuses.TASK_VERIFICATION_ATTESTATION:
        return
    enr = outcome.pending_course(case)
    if enr is not None:
        update_row(enr, {"verification": data["decision"],
                         "verification_motif": data.get("motif") or None})
        if data["decision"] == "refuser":
            update_row(case, {"session_id": None})


def _check_review_applies(case: Case, data: dict) -> None:
    """A manual review with no attested course awaiting its credit (a 48SI notified before the
    course, Q8, R42) credits nothing and grants no refund: choosing either was silently dropped
    (a QA finding); it is a 422 naming the choices that do apply."""
    if outcome.pending_course(case) is not None:
        return
    errors = {}
    if data.get("decision") == "crediter":
        errors["data.decision"] = ["Aucun stage attesté n'attend de crédit sur ce dossier : "
                                   "choisissez « Refuser »."]
    if data.get("remboursement") == "accorde":
        errors["data.remboursement"] = ["Sans stage attesté, l'amende n'est pas remboursable "
                                        "(R48) : choisissez « Remboursement refusé »."]
    if errors:
        raise Invalid("Aucun stage attesté n'attend de crédit sur ce dossier : l'examen "
                      "manuel ne peut ni créditer de points ni accorder de remboursement.",
                      errors)


def _check_open(task: HumanTask) -> None:
    if task.state != "open":
        raise Conflict("La tâche est déjà terminée." if task.state == "completed"
                       else "La tâche a été annulée.")
