"""Service tasks that call an action of the platform's catalogue (docs/process-bundle.md).

The convention is Camunda 7's external-task connector, as the modeler writes it:

    <bpmn:serviceTask id="prevenir" camunda:type="external" camunda:topic="notifier_centre">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="objet">Stage annulé</camunda:inputParameter>
        <camunda:inputParameter name="message">=f"Dossier {reference}"</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>

`camunda:topic` names the action; each input parameter is a literal text, or, when it starts
with "=", an expression of the restricted environment (script_env) evaluated on the task data
when the task runs. This package knows the convention only: which actions exist and what their
parameters must be is the service layer's catalogue (services/actions), which checks the calls
read here at deployment and runs them through `ScriptContext.call_action`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS, full_tag
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

from .clerk_view import CAMUNDA_NS
from .script_env import check_source

_B = f"{{{BPMN_MODEL_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
EXPRESSION_PREFIX = "="
MAX_PARAMETERS = 20
MAX_LITERAL_CHARS = 10_000


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str  # the literal text, or the expression without its "="
    expression: bool


@dataclass(frozen=True)
class ServiceCall:
    """One service task as drawn: the action it names and its parameters."""

    element_id: str
    line: int | None
    action: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def literals(self) -> dict[str, str]:
        return {p.name: p.value for p in self.parameters if not p.expression}


def _parameters(el) -> list[Parameter]:
    out = []
    for ext in el.findall(_B + "extensionElements"):
        for io in ext.findall(_C + "inputOutput"):
            for p in io.findall(_C + "inputParameter"):
                text = "".join(p.itertext()) if len(p) == 0 else None
                # a script or list/map child (Camunda's other forms) is not a literal: kept as
                # None, refused by `problems`
                value = text if text is not None else None
                name = p.get("name") or ""
                if value is not None and value.startswith(EXPRESSION_PREFIX):
                    out.append(Parameter(name, value[1:].strip(), True))
                else:
                    out.append(Parameter(name, value if value is not None else "\0", False))
    return out


def calls(root) -> list[ServiceCall]:
    """Every service task of the document with the action it names ("" when it names none)."""
    return [ServiceCall(el.get("id") or "", el.sourceline, (el.get(_C + "topic") or "").strip(),
                        tuple(_parameters(el)))
            for el in root.iter(_B + "serviceTask")]


def problems(root, data_names) -> list[tuple[str | None, int | None, str]]:
    """What the convention itself refuses (the catalogue checks the rest): no action named,
    a parameter without a name, twice, or not a text, an expression the restricted environment
    refuses. (element id, line, French message)."""
    found: list[tuple[str | None, int | None, str]] = []
    for call in calls(root):
        where = (call.element_id or None, call.line)
        if not call.action:
            found.append((*where, "tâche de service sans action : choisissez une action du "
                                  "catalogue (camunda:topic)"))
        if len(call.parameters) > MAX_PARAMETERS:
            found.append((*where, f"trop de paramètres (au plus {MAX_PARAMETERS})"))
        seen: set[str] = set()
        for p in call.parameters:
            if not p.name:
                found.append((*where, "paramètre sans nom"))
                continue
            if p.name in seen:
                found.append((*where, f"paramètre « {p.name[:80]} » donné deux fois"))
            seen.add(p.name)
            if not p.expression and p.value == "\0":
                found.append((*where, f"paramètre « {p.name[:80]} » : seule une valeur texte "
                                      "ou une expression commençant par « = » est acceptée"))
            elif not p.expression and len(p.value) > MAX_LITERAL_CHARS:
                found.append((*where, f"paramètre « {p.name[:80]} » trop long (au plus "
                                      f"{MAX_LITERAL_CHARS} caractères)"))
            elif p.expression:
                if not p.value:
                    found.append((*where, f"paramètre « {p.name[:80]} » : expression vide"))
                    continue
                for _, msg in check_source(p.value, "eval", data_names):
                    found.append((*where, f"paramètre « {p.name[:80]} » : expression refusée : "
                                          f"{msg}"))
    return found


class ActionTask(ServiceTask):
    """A service task calling a catalogue action: nothing is stored in the task data (the
    action's effects are the service layer's)."""

    def _execute(self, task):
        task.workflow.script_engine.call_service(
            task, operation_name=self.operation_name,
            operation_params=self.evaluate_params(task))
        return True


class ActionTaskParser(TaskParser):
    def create_task(self):
        params = {p.name: {"value": p.value if p.expression else repr(p.value), "type": "any"}
                  for p in _parameters(self.node) if p.name}
        return self.spec_class(self.spec, self.bpmn_id,
                               operation_name=(self.node.get(_C + "topic") or "").strip(),
                               operation_params=params, result_variable="",
                               **self.bpmn_attributes)


class ActionBpmnParser(SpiffBpmnParser):
    """SpiffWorkflow's parser, reading service tasks by the convention above."""

    OVERRIDE_PARSER_CLASSES = {**SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
                               full_tag("serviceTask"): (ActionTaskParser, ActionTask)}
