"""Move running cases to another version of their process: a per-case safety check
(workflows.migration, SpiffWorkflow's diff), one case, or every safe case in bulk — each case
in its own transaction with its own case event; the refused ones listed with French reasons."""

from __future__ import annotations

from sqlalchemy import select

from services import audit, bundles, journey, processes
from services.db import command, db, many_commands, paginate
from services.design import process_history
from services.errors import Conflict, NotFound, ServiceError
from services.models import Case, HumanTask, ProcessInstance, ProcessVersion
from workflows import WorkflowError
from workflows.migration import Definition, MigrationRefused, check, migrate

CASE_MIGRATED = "migration_version"


def definition(version: ProcessVersion) -> Definition:
    """A stored version as the engine's migration input."""
    return Definition(version.id, version.xml, version.key,
                      bundles.decode_files(version.files) or None)


def reasons_against(case: Case, instance: ProcessInstance, target: ProcessVersion) -> list[str]:
    """Why `case` cannot move to `target` (empty: it can)."""
    current = instance.version
    if current.key != target.key:
        return [f"le dossier suit le processus « {current.key} », pas « {target.key} »"]
    if instance.completed or case.closed:
        return ["le dossier est clos"]
    if current.id == target.id:
        return [f"le dossier est déjà sur la version {target.version}"]
    return check(journey.engine(), definition(current), definition(target),
                 instance.state_json, journey.facts(case))


def _running_query(key: str, target: ProcessVersion, from_version: int | None):
    query = (select(ProcessInstance).join(ProcessVersion,
                                          ProcessInstance.version_id == ProcessVersion.id)
             .where(ProcessVersion.key == key, ProcessInstance.completed.is_(False),
                    ProcessInstance.version_id != target.id))
    if from_version is not None:
        query = query.where(ProcessVersion.version == from_version)
    return query


def candidates(key: str, number: int, page: int, per_page: int):
    """The running cases of `key` on other versions than `number`, each checked."""
    target = processes.get_version(key, number)
    instances, total = paginate(_running_query(key, target, None), (ProcessInstance.case_id,),
                                page, per_page)
    rows = []
    for instance in instances:
        case = instance.case
        reasons = reasons_against(case, instance, target)
        rows.append({"case": case.id, "reference": case.reference,
                     "from_version": instance.version.version, "safe": not reasons,
                     "reasons": reasons})
    return rows, total


def _refresh_task_titles(case: Case, run) -> None:
    titles = {t.guid: t.title for t in run.open_tasks()}
    for task in db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.state == "open")):
        if task.guid in titles and task.title != titles[task.guid]:
            task.title = titles[task.guid]


def _refusal(case: Case, target: ProcessVersion, reasons: list[str]) -> Conflict:
    return Conflict(f"Le dossier {case.reference} ne peut pas passer à la version "
                    f"{target.version} : {' ; '.join(reasons)}.", {"version": reasons})


@command
def migrate_case(case_id: int, target: ProcessVersion, actor: str) -> Case:
    """Move one case (Conflict with the reasons when unsafe)."""
    case = journey.load_case(case_id)
    if case is None:
        raise NotFound(f"Aucun dossier n° {case_id}.")
    instance = journey.lock_instance(case)
    reasons = reasons_against(case, instance, target)
    if reasons:
        raise _refusal(case, target, reasons)
    source = instance.version
    try:
        run = migrate(journey.engine(), definition(source), definition(target),
                      instance.state_json, journey.context(case, actor))
    except MigrationRefused as exc:
        raise _refusal(case, target, exc.reasons) from None
    except WorkflowError as exc:  # the target version fails on this case's data
        raise _refusal(case, target, [f"la version {target.version} échoue pour ce dossier : "
                                      f"{exc.message}"]) from None
    journey.repin(case, instance, target, run, actor)
    _refresh_task_titles(case, run)
    # from/to as the API contract names them; the message is what the case page shows
    audit.record(case, CASE_MIGRATED, actor, process=target.key, **{
        "from": source.version, "to": target.version}, message=(
            f"Dossier passé de la version {source.version} à la version {target.version} du "
            f"processus « {target.key} »."))
    return case


@command
def migrate_one(case_id: int, number: int, actor: str) -> Case:
    """POST /cases/{id}/migration: the case's own process, version `number` (422 if unknown);
    one transaction, and one process history event."""
    case = db.session.get(Case, case_id)
    if case is None or case.instance is None:
        raise NotFound(f"Aucun dossier n° {case_id}.")
    target = processes.get_version(case.instance.version.key, number, field="version")
    moved = migrate_case(case_id, target, actor)
    process_history.record(target.key, process_history.CASES_MIGRATED, actor,
                           version=target.version, migrated=[case_id], refused=[])
    return moved


@many_commands
def migrate_all(key: str, number: int, from_version: int | None, actor: str) -> dict:
    """Every safe running case of `key` to version `number`, each as its own command; the
    others are listed with their reasons. The summary goes to the process history."""
    target = processes.get_version(key, number)
    case_ids = list(db.session.scalars(
        _running_query(key, target, from_version).with_only_columns(ProcessInstance.case_id)
        .order_by(ProcessInstance.case_id)))
    migrated, refused = [], []
    for case_id in case_ids:
        try:
            migrate_case(case_id, target, actor)
            migrated.append(case_id)
        except ServiceError as exc:  # refused (409) or gone meanwhile (404): listed, not fatal
            # an incident's error, not the clerk's sentence: designers read this
            refused.append({"case": case_id, "reasons": exc.errors.get("version") or [
                getattr(exc, "technical_detail", exc.detail)]})
    process_history.record_command(key, process_history.CASES_MIGRATED, actor, version=number,
                                   from_version=from_version, migrated=migrated,
                                   refused=refused)
    return {"migrated": migrated, "refused": refused}
