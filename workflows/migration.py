"""Move a running instance to another version of its process definition (SpiffWorkflow's
``bpmn.util.diff``: ``diff_workflow`` / ``migrate_workflow``, SPIFFWORKFLOW.md §10).

Safe means: no element this instance already went through (COMPLETED), or is inside (STARTED),
was changed or removed in the target version, no element it waits at (READY, WAITING) was
removed, no sub-process it runs was removed, and the migrated state restores on the target
version. A user task it waits at whose form takes other data in the target version (a field
added, removed, or whose type, rules or values changed) makes the move unsafe; a change of
labels, help or read-only texts alone is safe. The steps it waits at are reset and
re-predicted on the target version (a waiting timer is re-armed: a duration timer starts
again from now; our timers are absolute dates).
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import clock
from .contract import ScriptContext
from .runtime import ProcessEngine, ProcessRun, WorkflowError

_DONE = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR
_WAITING = TaskState.READY | TaskState.WAITING


@dataclass(frozen=True)
class Definition:
    """One stored version of a process: its id (the engine caches specs by it) and bytes."""

    version_id: int
    xml: bytes
    process_key: str
    files: dict | None = None  # the bundle's forms (None: a version deployed before bundles)


class MigrationRefused(WorkflowError):
    """The instance cannot move safely; ``reasons`` says why, in French."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


def _label(task) -> str:
    spec = task.task_spec
    if getattr(spec, "bpmn_id", None) is None and "." in spec.name:
        # an engine's own step (`parcours_stage.BoundaryEventSplit`, a join): its element's
        owner = spec.name.split(".", 1)[0]
        spec = task.workflow.spec.task_specs.get(owner) or spec
        bpmn_id = getattr(spec, "bpmn_id", None) or owner
    else:
        bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None) or bpmn_id
    return f"« {name} » ({bpmn_id})" if name != bpmn_id else f"« {bpmn_id} »"


def _task_reasons(workflow_diff, where: str) -> list[str]:
    reasons = []
    removed = {t.id for t in workflow_diff.removed}
    for task in workflow_diff.removed:
        if task.has_state(_DONE):
            reasons.append(f"l'étape {_label(task)}{where}, déjà passée, est supprimée")
        elif task.has_state(_WAITING):
            reasons.append(f"l'étape {_label(task)}{where}, où le dossier attend, est supprimée")
    for task in workflow_diff.changed:
        if task.id in removed:
            continue
        if task.has_state(TaskState.COMPLETED):
            reasons.append(f"l'étape {_label(task)}{where}, déjà passée, est modifiée")
        elif task.has_state(TaskState.STARTED | TaskState.ERROR):
            reasons.append(f"l'étape {_label(task)}{where}, en cours, est modifiée")
    return reasons


def _form_reasons(run: ProcessRun, current: Definition, target: Definition) -> list[str]:
    """The waiting user tasks whose form takes other data in `target` (labels apart)."""
    if current.files is None or target.files is None:
        return []  # a version deployed before bundles: its forms are the shipped ones
    from .definitions import document_root
    from .forms import form_refs, only_labels_changed, parse_forms

    def task_forms(definition):
        forms, _ = parse_forms(definition.files)
        return {t: forms.get(r) for t, r in form_refs(document_root(definition.xml)).items()
                if r}

    before, after = task_forms(current), task_forms(target)
    reasons = []
    for task in run.workflow.get_tasks(state=_WAITING):
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
        if not getattr(spec, "manual", False) or bpmn_id not in after:
            continue
        if not only_labels_changed(before.get(bpmn_id), after.get(bpmn_id)):
            reasons.append(f"le formulaire de l'étape {_label(task)}, où le dossier attend, "
                           "prend d'autres données dans la nouvelle version")
    return reasons


def _plan(engine: ProcessEngine, run: ProcessRun, target):
    """(reasons, diffs) for moving `run` to the parsed `target` spec."""
    wf = run.workflow
    top, subs = diff_workflow(engine.serializer_registry(), wf, target.spec,
                              target.subprocess_specs)
    reasons = _task_reasons(top, "")
    for sp_id, sub_diff in subs.items():
        sub = wf.subprocesses[sp_id]
        where = f" du sous-processus « {sub.spec.name} »"
        if sub_diff is None:
            reasons.append(f"le sous-processus « {sub.spec.name} » est supprimé")
        else:
            reasons.extend(_task_reasons(sub_diff, where))
    return list(dict.fromkeys(reasons)), top, subs


def _migrated_state(engine: ProcessEngine, run: ProcessRun, target, top, subs) -> str:
    wf = run.workflow
    with clock.engine_clock(engine.now):
        for sp_id, sub_diff in subs.items():
            sub = wf.subprocesses[sp_id]
            migrate_workflow(sub_diff, sub, target.subprocess_specs[sub.spec.name])
        migrate_workflow(top, wf, target.spec)
        wf.subprocess_specs = dict(target.subprocess_specs)
    return engine.dump(wf)


def _restore_on(engine: ProcessEngine, target: Definition, state_json: str,
                context: ScriptContext) -> ProcessRun:
    try:
        return engine.resume(target.version_id, target.xml, target.process_key, state_json,
                             context, files=target.files)
    except WorkflowError as exc:
        raise MigrationRefused(["l'état du dossier ne se restaure pas sur la nouvelle version "
                                f"({exc.message})"]) from exc


def check(engine: ProcessEngine, current: Definition, target: Definition, state_json: str,
          facts) -> list[str]:
    """Why the instance cannot move to `target` (empty: it can). Side-effect free: no action
    is called, nothing is saved."""
    context = ScriptContext(facts=facts, actions={})
    try:
        run = engine.resume(current.version_id, current.xml, current.process_key, state_json,
                            context, files=current.files)
        parsed = engine.parsed(target.version_id, target.xml, target.process_key,
                               files=target.files)
        reasons, top, subs = _plan(engine, run, parsed)
        reasons = reasons + _form_reasons(run, current, target)
        if reasons:
            return reasons
        _restore_on(engine, target, _migrated_state(engine, run, parsed, top, subs), context)
    except MigrationRefused as exc:
        return exc.reasons
    except WorkflowError as exc:
        return [f"migration impossible : {exc.message}"]
    except Exception as exc:  # noqa: BLE001 - an engine failure is a refusal, never a 500
        return [f"migration impossible : erreur du moteur ({type(exc).__name__})"]
    return []


def migrate(engine: ProcessEngine, current: Definition, target: Definition, state_json: str,
            context: ScriptContext) -> ProcessRun:
    """The instance as a run on `target`, advanced to its next wait; MigrationRefused (French
    reasons) when it cannot move safely. The caller saves the run in its transaction."""
    try:
        run = engine.resume(current.version_id, current.xml, current.process_key, state_json,
                            ScriptContext(facts=context.facts, actions={}), files=current.files)
        parsed = engine.parsed(target.version_id, target.xml, target.process_key,
                               files=target.files)
        reasons, top, subs = _plan(engine, run, parsed)
        reasons = reasons + _form_reasons(run, current, target)
        if reasons:
            raise MigrationRefused(reasons)
        state = _migrated_state(engine, run, parsed, top, subs)
    except (MigrationRefused, WorkflowError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise MigrationRefused([f"migration impossible : erreur du moteur "
                                f"({type(exc).__name__})"]) from exc
    moved = _restore_on(engine, target, state, context)
    moved.run_engine()
    return moved
