"""Create, restore, step and save process instances.

A ``ProcessRun`` wraps one live ``BpmnWorkflow`` for the duration of ONE command (request or timer
job): restore from ``state_json`` → apply one event → run engine steps → save ``state_json``.
Never keep a run across commands; after a ``WorkflowError`` the run is unusable and the caller
rolls its transaction back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.util.task import TaskState

from . import clock
from . import decisions as decisions_mod
from .clerk_view import Annotations, Status, status_code
from .contract import DATA_GROUP_ASSIGNMENTS, FACT_ECHEANCE_TIMER, TIMER_LABELS, ScriptContext
from .definitions import ParsedProcess, parse_process
from .errors_fr import described
from .lanes import GROUP_CODE
from .script_env import (
    ALLOWED_GLOBAL_NAMES,
    ActionFailed,
    LimitExceeded,
    ScriptRejected,
    TimerValueRejected,
    make_script_engine,
)
from .service_tasks import ActionTask

MAX_STEP_ROUNDS = 100
# A version's bundle files ({path: text}; its decisions/*.dmn are parsed with it), or a loader
Files = Mapping[str, str] | Callable[[], Mapping[str, str] | None] | None


# The stored state of one instance (process_instances.state_json): the task data (at most
# script_env.MAX_DATA_CHARS) is copied into each task of the instance, so a few of them fit.
MAX_STATE_CHARS = 20_000_000


class WorkflowError(Exception):
    """The engine failed (script error, no gateway condition satisfied, corrupt state...).

    ``message`` is French; ``element_id`` is the BPMN id of the failing element when known.
    """

    def __init__(self, message: str, element_id: str | None = None):
        self.message = message
        self.element_id = element_id
        super().__init__(f"{message} (élément {element_id})" if element_id else message)


class TaskNotReady(WorkflowError):
    """No READY user task with that key."""


@dataclass(frozen=True)
class OpenTask:
    key: str
    title: str
    guid: str
    due: str | None = None  # the designer's due date (camunda:dueDate), docs/process-bundle.md
    group: str | None = None  # the code of the clerks' group its lane names (workflows/lanes.py)


@dataclass(frozen=True)
class WaitingTimer:
    name: str
    label: str
    due_at: dt.datetime


# --- slim serialization: the spec is never stored in the state JSON -----------------------------
_specs_for_restore: ContextVar[ParsedProcess | None] = ContextVar("specs_for_restore", default=None)


class _SlimWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        parsed = _specs_for_restore.get()
        if parsed is None:  # pragma: no cover - guarded by ProcessEngine.resume
            raise WorkflowError("spécification absente lors de la restauration")
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(parsed.spec, dict(parsed.subprocess_specs), deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SlimWorkflowConverter
    config[ActionTask] = config[ServiceTask]  # service tasks by the catalogue's convention
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


_local = threading.local()


def _serializer() -> BpmnWorkflowSerializer:
    # serialize_json flips a flag on the registry: one serializer per thread
    s = getattr(_local, "serializer", None)
    if s is None:
        s = _local.serializer = _make_serializer()
    return s


# --- helpers ------------------------------------------------------------------------------------
def _check_facts(context: ScriptContext) -> None:
    value = context.facts.get(FACT_ECHEANCE_TIMER)
    if value is None:
        return
    if not isinstance(value, str):
        raise ValueError("dossier['echeance_timer'] doit être une chaîne ISO 8601 ou None")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(
            "dossier['echeance_timer'] doit porter un fuseau horaire (ISO 8601 avec décalage)"
        )


# (a clerk's answers never carry the groups service tasks assign: contract.DATA_GROUP_ASSIGNMENTS)
_RESERVED_DATA_KEYS = ALLOWED_GLOBAL_NAMES | {"typename", DATA_GROUP_ASSIGNMENTS}


def _check_task_data(data: dict) -> None:
    if not isinstance(data, dict):
        raise ValueError("les données de la tâche doivent être un objet")
    for key in data:
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise ValueError(f"nom de donnée invalide : {key!r}")
        if key in _RESERVED_DATA_KEYS:
            raise ValueError(f"nom de donnée réservé : {key!r}")
    json.dumps(data)  # only JSON data goes into the state


def _element_of(exc: BaseException) -> str | None:
    task = getattr(exc, "task", None)
    if task is not None:
        return task.task_spec.name
    spec = getattr(exc, "task_spec", None)
    return getattr(spec, "name", None) if spec is not None else None


def _translate(exc: BaseException) -> WorkflowError:
    element = _element_of(exc)
    text = str(exc)
    origin = exc.__cause__ or exc.__context__
    if isinstance(exc, WorkflowException) and text.startswith("No conditions satisfied"):
        msg = "aucune condition de sortie de la passerelle n'est satisfaite"
    elif isinstance(origin, ActionFailed):
        msg = f"action du catalogue : {origin}"
    elif isinstance(origin, TimerValueRejected):
        msg = f"valeur de {origin}"
    elif isinstance(origin, LimitExceeded) or isinstance(exc, LimitExceeded):
        msg = f"limite dépassée : {origin or exc}"
    elif isinstance(origin, decisions_mod.DecisionError):
        msg = f"table de décision : {origin}"
    elif isinstance(origin, ScriptRejected) or isinstance(exc, ScriptRejected):
        msg = f"code refusé par l'environnement restreint : {origin or exc}"
    elif "Error evaluating expression" in text:
        detail = described(origin) if origin else text.splitlines()[0]
        msg = f"erreur lors de l'évaluation d'une expression : {detail}"
    elif isinstance(exc, SpiffWorkflowException):
        if origin:  # the French kind first (NameError: « variable inconnue »), then Python's
            msg = f"erreur d'exécution du processus : {described(origin)}"
        else:
            kind = getattr(exc, "error_type", type(exc).__name__)
            msg = f"erreur d'exécution du processus ({kind}) : {text.splitlines()[0]}"
    else:
        msg = f"erreur du moteur de processus : {described(exc)}"
    err = WorkflowError(msg, element)
    err.__cause__ = origin if origin is not None else exc
    return err


def _bpmn_id(task) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


IN_PROGRESS, IN_PROGRESS_LABEL = "en_cours", "En cours"


def _assigned(task) -> str | None:
    """The group a service task (`affecter_groupe`) offered this user task to, if any."""
    assigned = task.data.get(DATA_GROUP_ASSIGNMENTS)
    group = assigned.get(task.task_spec.name) if isinstance(assigned, dict) else None
    # a group code (as a lane names one, 40 characters at most), whatever a script left there
    return group if isinstance(group, str) and GROUP_CODE.match(group) else None


def _latest(tasks: list):
    """The task that changed state last (the later in tree order on a tie)."""
    return max(reversed(tasks), key=lambda t: t.last_state_change)


class ProcessRun:
    """One live instance, for one command."""

    def __init__(self, engine: ProcessEngine, workflow: BpmnWorkflow, context: ScriptContext,
                 marks: Annotations | None = None,
                 task_groups: Mapping[str, str | None] | None = None):
        self._engine = engine
        self._wf = workflow
        self._marks = marks or Annotations()
        # (boundary timer, user task, group it hands the task to or None) fired by this run
        self.fired_reminders: list[tuple[str, str, str | None]] = []
        self.task_groups = task_groups or {}  # user task id -> its lane's group code
        self.decisions: list[decisions_mod.DecisionMade] = []  # made by this run (history)
        self._broken = False
        self._wf.script_engine = make_script_engine(context)
        self._live: list | None = None  # the READY, WAITING and STARTED tasks, in tree order

    _LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED

    def _live_tasks(self) -> list:
        """One walk of the task tree for the queries of a state (open tasks, waiting events,
        active elements), until the next command changes it. A walk with the three states'
        mask visits the same tasks in the same order as one per state (the same pruning: all
        three are definite states), so each query is its filter of this list."""
        if self._live is None:
            self._live = self._wf.get_tasks(state=self._LIVE)
        return self._live

    # -- internals --
    @contextmanager
    def _op(self) -> Iterator[None]:
        if self._broken:
            raise WorkflowError(
                "instance inutilisable après une erreur : recharger depuis l'état enregistré"
            )
        self._live = None  # the command changes the tree: walked again after it
        with clock.engine_clock(self._engine.now), decisions_mod.collect(self.decisions):
            try:
                yield
            except TaskNotReady:
                raise
            except WorkflowError:
                self._broken = True
                raise
            except Exception as exc:  # noqa: BLE001 - every engine failure becomes a WorkflowError
                self._broken = True
                err = _translate(exc)
                raise err from err.__cause__
            finally:
                self._live = None

    def _advance(self) -> None:
        wf = self._wf
        for _ in range(MAX_STEP_ROUNDS):
            wf.refresh_timers()
            wf.do_engine_steps()
            if not any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
                return
        raise WorkflowError("le processus ne se stabilise pas (boucle sans attente)")

    def _waiting_events(self):
        """(task, event_definition, element_id) for every event a WAITING task catches.

        SpiffWorkflow 3.2.0 makes an event-based gateway itself the WAITING task, holding a
        MultipleEventDefinition whose i-th definition belongs to its i-th outgoing event.
        """
        for t in self._live_tasks():
            if t.state != TaskState.WAITING:
                continue
            ed = getattr(t.task_spec, "event_definition", None)
            if isinstance(ed, MultipleEventDefinition):
                outputs = t.task_spec.outputs if isinstance(t.task_spec, EventBasedGateway) else []
                for idx, sub in enumerate(ed.event_definitions):
                    element = outputs[idx].name if idx < len(outputs) else t.task_spec.name
                    yield t, sub, element
            elif ed is not None:
                yield t, ed, t.task_spec.name

    def _waiting_timer_tasks(self):
        for t, ed, element in self._waiting_events():
            if isinstance(ed, TimerEventDefinition) and not isinstance(
                ed, CycleTimerEventDefinition
            ):
                yield t, ed, element

    def _waiting_message_events(self):
        for t, ed, element in self._waiting_events():
            if isinstance(ed, MessageEventDefinition):
                yield t, ed, element

    # -- commands --
    def run_engine(self) -> None:
        with self._op():
            self._advance()

    def complete_task(self, task_key: str, data: dict) -> None:
        _check_task_data(data)
        with self._op():
            task = self._wf.get_next_task(state=TaskState.READY, manual=True, spec_name=task_key)
            if task is None:
                raise TaskNotReady(f"aucune tâche « {task_key} » prête", task_key)
            task.data.update(data)
            task.run()
            self._advance()

    def send_message(self, name: str) -> bool:
        with self._op():
            target = next(
                (ed for _, ed, _ in self._waiting_message_events() if ed.name == name), None
            )
            if target is None:
                return False
            self._wf.send_event(BpmnEvent(target, payload=None))
            self._advance()
            return True

    def fire_due_timers(self) -> int:
        with self._op():
            now = clock.current_now(self._engine.now)
            due = [
                t.id
                for t, _, _ in self._waiting_timer_tasks()
                if (d := self._due(t)) is not None and d <= now
            ]
            self._advance()
            fired = 0
            for tid in due:
                task = self._wf.get_task_from_id(tid)
                if task is None or task.state != TaskState.WAITING:
                    fired += 1
                    element = _bpmn_id(task) if task is not None else None
                    if element in self._marks.reminders:
                        self.fired_reminders.append((element, self._marks.reminders[element],
                                                     self._marks.reminder_groups.get(element)))
            return fired

    # -- queries --
    @staticmethod
    def _due(task) -> dt.datetime | None:
        value = task.internal_data.get("event_value")
        if not value:
            return None
        due = dt.datetime.fromisoformat(value)
        if due.tzinfo is None:
            raise WorkflowError("échéance de minuterie sans fuseau horaire", task.task_spec.name)
        return due

    def state_json(self) -> str:
        if self._broken:
            raise WorkflowError("instance inutilisable après une erreur : ne pas l'enregistrer")
        try:
            text = self._engine._dump(self._wf)
        except (TypeError, ValueError, RecursionError, OverflowError) as exc:
            # data a script left that JSON cannot hold (script_env checks what scripts leave;
            # this is the last line): an engine error, never a crash of the caller
            raise WorkflowError("l'état du processus ne peut pas être enregistré : "
                                f"{type(exc).__name__} ({str(exc)[:200]})") from exc
        if len(text) > MAX_STATE_CHARS:  # each task keeps its own copy of the data
            raise WorkflowError(f"l'état du processus ne peut pas être enregistré : "
                                f"{len(text)} caractères (limite {MAX_STATE_CHARS}) ; réduisez "
                                "les données laissées par les scripts")
        return text

    def is_completed(self) -> bool:
        return self._wf.is_completed()

    def open_tasks(self) -> list[OpenTask]:
        due, groups = self._marks.due, self.task_groups
        return [
            OpenTask(t.task_spec.name, t.task_spec.bpmn_name or t.task_spec.name, str(t.id),
                     due.get(t.task_spec.name), _assigned(t) or groups.get(t.task_spec.name))
            for t in self._live_tasks() if t.state == TaskState.READY and t.task_spec.manual
        ]

    def position(self) -> Status | None:
        """The status the case shows where its process stands, as the diagram says
        (docs/process-bundle.md): the user task opened last, else the labelled element waited at
        that was reached last, else the name of the element waited at. None for a version whose
        diagram names no status at all (deployed before statuses were drawn)."""
        marks = self._marks
        if not marks.statuses:
            return None
        live = self._live_tasks()
        ready = [t for t in live if t.state == TaskState.READY and t.task_spec.manual]
        if ready:
            task = _latest(ready)
            element = _bpmn_id(task) or task.task_spec.name
            return marks.statuses.get(element) or Status(
                status_code(element) or IN_PROGRESS, task.task_spec.bpmn_name or element)
        waiting = [t for t in live if t.state == TaskState.WAITING
                   and _bpmn_id(t) in marks.waiting]
        labelled = [t for t in waiting if _bpmn_id(t) in marks.statuses]
        if labelled:
            return marks.statuses[_bpmn_id(_latest(labelled))]
        named = [t for t in waiting if _bpmn_id(t) in marks.names]
        if named:
            return Status(IN_PROGRESS, marks.names[_bpmn_id(_latest(named))])
        return Status(IN_PROGRESS, IN_PROGRESS_LABEL)

    def waiting_timers(self) -> list[WaitingTimer]:
        out = []
        for t, ed, name in self._waiting_timer_tasks():
            due = self._due(t)
            if due is not None:
                out.append(WaitingTimer(name, TIMER_LABELS.get(name, ed.name or name), due))
        return sorted(out, key=lambda w: w.due_at)

    def waiting_messages(self) -> set[str]:
        return {ed.name for _, ed, _ in self._waiting_message_events()}

    def active_element_ids(self) -> set[str]:
        return {i for t in self._live_tasks() if (i := _bpmn_id(t))}

    def active_steps(self) -> dict[str, str]:
        """{id: name} of the active elements the diagram highlights as steps: not the embedded
        sub-processes that contain them (a call activity is a step)."""
        return {i: t.task_spec.bpmn_name or i for t in self._live_tasks()
                if (i := _bpmn_id(t)) and (not isinstance(t.task_spec, SubWorkflowTask)
                                           or isinstance(t.task_spec, CallActivity))}

    def completed_element_ids(self) -> set[str]:
        return {i for t in self._wf.get_tasks(state=TaskState.COMPLETED) if (i := _bpmn_id(t))}

    @property
    def workflow(self) -> BpmnWorkflow:  # for tests and diagnostics only
        self._live = None  # the caller may change it
        return self._wf


class ProcessEngine:
    """Parses each (version, process) once and creates/restores runs that read ``now()``."""

    def __init__(self, now: Callable[[], dt.datetime]):
        self.now = now
        # (version id, process) -> (stored checksum | None, SHA-256 of the XML, parsed)
        self._cache: dict[tuple[int, str], tuple[str | None, str, ParsedProcess]] = {}
        self._lock = threading.Lock()
        clock.install()

    def parsed(self, version_id: int, xml: bytes | Callable[[], bytes], process_key: str,
               checksum: str | None = None, files: Files = None) -> ParsedProcess:
        """The parsed (version, process). `checksum` (the version's checksum as stored with it:
        its bundle's, services/bundles.py) lets a caller pass `xml` as a loader: a parsed
        version is then found without reading or hashing its source again (an immutable row).
        Without it, the XML's own SHA-256 is compared with the one it was parsed from."""
        key = (version_id, process_key)
        hit = self._cache.get(key)
        if hit is not None and checksum is not None:
            if checksum in (hit[0], hit[1]):  # a bundle without files: its BPMN's own SHA-256
                return hit[2]
            if hit[0] is not None:
                raise WorkflowError(
                    f"la version {version_id} a changé de contenu : une version est immuable"
                )
        if callable(xml):
            xml = xml()
        digest = hashlib.sha256(xml).hexdigest()
        if hit is not None:
            if hit[1] != digest:
                raise WorkflowError(
                    f"la version {version_id} a changé de contenu : une version est immuable"
                )
            if checksum is not None and hit[0] is None:
                with self._lock:
                    self._cache[key] = (checksum, digest, hit[2])
            return hit[2]
        if callable(files):  # the bundle's files (its decision tables), read only to parse
            files = files()
        parsed = parse_process(xml, process_key, files)  # DefinitionError if invalid
        with self._lock:
            self._cache.setdefault(key, (checksum, digest, parsed))
        return self._cache[key][2]

    def start(
        self, version_id: int, xml: bytes | Callable[[], bytes], process_key: str,
        context: ScriptContext, checksum: str | None = None, files: Files = None,
    ) -> ProcessRun:
        _check_facts(context)
        parsed = self.parsed(version_id, xml, process_key, checksum, files)
        wf = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs))
        run = ProcessRun(self, wf, context, parsed.annotations, parsed.task_groups)
        run.run_engine()
        return run

    def resume(
        self, version_id: int, xml: bytes | Callable[[], bytes], process_key: str,
        state_json: str, context: ScriptContext, checksum: str | None = None,
        files: Files = None,
    ) -> ProcessRun:
        _check_facts(context)
        parsed = self.parsed(version_id, xml, process_key, checksum, files)
        token = _specs_for_restore.set(parsed)
        try:
            serializer = _serializer()
            dct = json.loads(state_json)
            version = dct.pop(serializer.VERSION_KEY, None)
            if version != serializer.VERSION:
                raise WorkflowError(
                    f"état sérialisé en version {version!r}, attendu {serializer.VERSION}"
                )
            if dct.get("process_key") not in (None, process_key):
                raise WorkflowError("l'état enregistré appartient à un autre processus")
            dct.pop("process_key", None)
            wf = serializer.from_dict(dct)
        except WorkflowError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise WorkflowError(f"état du processus illisible ({type(exc).__name__})") from exc
        finally:
            _specs_for_restore.reset(token)
        return ProcessRun(self, wf, context, parsed.annotations, parsed.task_groups)

    @staticmethod
    def serializer_registry():
        """The converters that serialize specs (SpiffWorkflow's diff compares specs with them)."""
        return _serializer().registry

    def dump(self, wf: BpmnWorkflow) -> str:
        """The state JSON of a workflow (migration writes a migrated one back)."""
        return self._dump(wf)

    @staticmethod
    def _dump(wf: BpmnWorkflow) -> str:
        serializer = _serializer()
        serializer.registry._encoder_mode = True
        try:
            dct = serializer.to_dict(wf)
        finally:
            serializer.registry._encoder_mode = False
        dct["process_key"] = wf.spec.name
        dct[serializer.VERSION_KEY] = serializer.VERSION
        return json.dumps(dct, cls=serializer._encoder_cls, separators=(",", ":"))
