"""What a designer sets on the elements of a diagram for the clerks (docs/process-bundle.md):
the status label a case shows while it waits at an element, a user task's due date, and the
reminders drawn as non-interrupting boundary timers on user tasks.

Read from the hardened lxml tree at parse time, once per version, so that no list of element
ids in Python decides what a clerk sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_B = f"{{{BPMN_MODEL_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"

PROP_STATUS_LABEL = "statut"
PROP_STATUS_CODE = "code_statut"
PROP_GROUP = "groupe"  # on a reminder: the group its task goes to (workflows/lanes.py checks it)
MAX_LABEL_CHARS = 120  # cases.status_label: a status's label, or the name of where a case waits
MAX_TASK_KEY_CHARS = 80  # human_tasks.key: a user task's id names its tasks in the task list
STATUS_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # cases.status is 40 characters

# Dates the rules compute for a case, by the name a designer gives as a task's due date.
DUE_CREDIT = "echeance_credit"  # one calendar month after the attestation's receipt (R39, D4)
DUE_DEADLINE = "echeance_stage"  # the 4-month deadline of the 48N (D1)
DUE_NAMES = (DUE_CREDIT, DUE_DEADLINE)
# A due-date duration in days or weeks (months are the rules' business: D4's calendar month).
DUE_DURATION = re.compile(r"P(?:(\d{1,4})W|(\d{1,4})D)")
MAX_DUE_DAYS = 3660

# Where a case can wait: the elements whose status label means something.
_WAITING_TAGS = {_B + t for t in ("userTask", "intermediateCatchEvent", "eventBasedGateway",
                                  "receiveTask", "manualTask")}


@dataclass(frozen=True)
class Status:
    code: str
    label: str


@dataclass(frozen=True)
class Annotations:
    statuses: Mapping[str, Status] = field(default_factory=dict)  # element id -> its status
    names: Mapping[str, str] = field(default_factory=dict)  # element id -> name (for fallbacks)
    due: Mapping[str, str] = field(default_factory=dict)  # user task id -> dueDate text
    reminders: Mapping[str, str] = field(default_factory=dict)  # boundary timer -> user task id
    waiting: frozenset[str] = frozenset()  # the elements a case can wait at
    # reminder -> the group it hands its task to when it fires (its `groupe` property)
    reminder_groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnnotationProblem:
    element_id: str | None
    line: int | None
    message: str


def properties(el) -> dict[str, str]:
    """The element's extension properties (camunda:properties/camunda:property name/value)."""
    found: dict[str, str] = {}
    for ext in el.iterchildren(_B + "extensionElements"):
        for props in ext.iterchildren(_C + "properties"):
            for prop in props.iterchildren(_C + "property"):
                name = prop.get("name")
                if name and name not in found:
                    found[name] = prop.get("value") or ""
    return found


def due_days(text: str) -> int | None:
    """The number of days of a due-date duration (`P15D`, `P2W`), None if it is not one."""
    m = DUE_DURATION.fullmatch(text.strip())
    if m is None:
        return None
    return int(m.group(1)) * 7 if m.group(1) else int(m.group(2))


def read(root) -> tuple[Annotations, list[AnnotationProblem]]:
    """The annotations of every process of the document, and what is wrong with them."""
    statuses: dict[str, Status] = {}
    names: dict[str, str] = {}
    due: dict[str, str] = {}
    reminders: dict[str, str] = {}
    reminder_groups: dict[str, str] = {}
    problems: list[AnnotationProblem] = []
    user_tasks: set[str] = set()
    waiting: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_B):
            continue
        element_id = el.get("id")
        if not element_id:
            continue
        if el.get("name"):
            names[element_id] = el.get("name")
        if el.tag == _B + "userTask":
            user_tasks.add(element_id)
            if len(element_id) > MAX_TASK_KEY_CHARS:
                problems.append(AnnotationProblem(
                    element_id, el.sourceline,
                    f"identifiant de tâche utilisateur trop long : {len(element_id)} caractères "
                    f"(maximum {MAX_TASK_KEY_CHARS}) ; il nomme ses tâches dans la liste des "
                    "tâches"))
        if el.tag in _WAITING_TAGS:
            waiting.add(element_id)
            if len(el.get("name") or "") > MAX_LABEL_CHARS:
                problems.append(AnnotationProblem(
                    element_id, el.sourceline,
                    f"nom trop long : {len(el.get('name'))} caractères (maximum "
                    f"{MAX_LABEL_CHARS}) ; les agents le lisent comme statut du dossier et "
                    "titre de sa tâche"))
        props = properties(el)
        label = props.get(PROP_STATUS_LABEL, "").strip()
        code = props.get(PROP_STATUS_CODE, "").strip()
        if PROP_STATUS_LABEL in props or PROP_STATUS_CODE in props:
            problem = _status_problem(el, label, code)
            if problem:
                problems.append(AnnotationProblem(element_id, el.sourceline, problem))
            else:
                statuses[element_id] = Status(code or status_code(element_id), label)
        due_text = el.get(_C + "dueDate")
        if due_text is not None:
            problem = _due_problem(el, due_text)
            if problem:
                problems.append(AnnotationProblem(element_id, el.sourceline, problem))
            else:
                due[element_id] = due_text.strip()
    for el in root.iter(_B + "boundaryEvent"):
        attached = el.get("attachedToRef")
        timer = next(el.iterchildren(_B + "timerEventDefinition"), None)
        if (timer is not None and attached in user_tasks
                and el.get("cancelActivity", "true") == "false"):
            reminders[el.get("id")] = attached
            group = properties(el).get(PROP_GROUP, "").strip()
            if group:
                reminder_groups[el.get("id")] = group
    return Annotations(MappingProxyType(statuses), MappingProxyType(names),
                       MappingProxyType(due), MappingProxyType(reminders),
                       frozenset(waiting), MappingProxyType(reminder_groups)), problems


def status_code(element_id: str) -> str:
    """The status code an element's id gives ("" when it cannot be one)."""
    code = element_id.lower()
    return code if STATUS_CODE.fullmatch(code) else ""


def _status_problem(el, label: str, code: str) -> str | None:
    if el.tag not in _WAITING_TAGS:
        return ("statut : seul un élément où le dossier attend (tâche utilisateur, événement "
                "intermédiaire, passerelle événementielle, tâche de réception) porte un statut")
    if not label:
        return "statut : le libellé (propriété « statut ») est vide"
    if len(label) > MAX_LABEL_CHARS:
        return f"statut : libellé trop long ({len(label)} caractères, maximum {MAX_LABEL_CHARS})"
    effective = code or status_code(el.get("id"))
    if not STATUS_CODE.fullmatch(effective):
        return (f"statut : code « {(code or el.get('id'))[:60]} » refusé (minuscules, chiffres et "
                "« _ », 40 caractères au plus, commençant par une lettre) ; donnez une propriété "
                "« code_statut »")
    return None


def _due_problem(el, text: str) -> str | None:
    if el.tag != _B + "userTask":
        return "échéance : seule une tâche utilisateur a une échéance (camunda:dueDate)"
    value = text.strip()
    if value in DUE_NAMES:
        return None
    days = due_days(value)
    if days is None:
        return (f"échéance « {value[:60]} » non comprise : une durée en jours ou en semaines "
                f"(« P15D », « P2W ») ou une date calculée par les règles ({', '.join(DUE_NAMES)})")
    if not 0 < days <= MAX_DUE_DAYS:
        return f"échéance « {value} » hors bornes (1 à {MAX_DUE_DAYS} jours)"
    return None
