"""The catalogue of actions a designer's service task may call (issue 15, docs/process-bundle.md).

An action is a name, a French label and description, the JSON Schema of its parameters, whether
it is an outbox job (its slow, external part runs later in services/outbox.py), and a run
function `run(ctx, params)` executed INSIDE the current command's transaction (it never commits:
a failure rolls the whole command back and becomes an incident on the case). Each action is one
module of this package that calls `register` when imported (services/actions/__init__.py imports
them all).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workflows import ActionCall

# name -> Action, filled by the modules of this package as they are imported
_CATALOGUE: dict[str, Action] = {}


@dataclass(frozen=True)
class DeployContext:
    """What an action's own deployment check may know of the definition."""

    user_tasks: frozenset[str]
    files: Mapping[str, str] = field(default_factory=dict)  # the bundle's other files


@dataclass(frozen=True)
class ActionContext:
    """What an action's run sees: the case, who caused the command, the service task."""

    case: object  # services.models.Case
    actor: str
    call: ActionCall
    version_id: int | None = None  # the process version running the task
    # what the run already knows, so that an action need not read it again (issue 17): the
    # version's checksum, and the licence's ledger as the run leaves it (a callable: None when
    # the run has not replayed it)
    checksum: str | None = None
    ledger: Callable[[], object] | None = None

    @property
    def element_id(self) -> str:
        return self.call.element_id


@dataclass(frozen=True)
class Action:
    name: str  # what camunda:topic names
    label: str  # French, for the modeler's list
    description: str  # French
    parameters: Mapping  # JSON Schema (type object) of the parameters
    run: Callable[[ActionContext, dict], None]
    job: bool = False  # its external part is an outbox job (services/outbox.py)
    # extra checks at deployment on the literal parameters: French messages (e.g. a group
    # that does not exist); expressions are checked when the task runs
    deploy_check: Callable[[DeployContext, dict], list[str]] | None = None

    def view(self) -> dict:
        return {"name": self.name, "label": self.label, "description": self.description,
                "parameters": dict(self.parameters), "job": self.job}


def register(action: Action) -> Action:
    """Add `action` to the catalogue (once per name: a second module naming it is a bug)."""
    if action.name in _CATALOGUE and _CATALOGUE[action.name] is not action:
        raise ValueError(f"action déjà enregistrée : {action.name}")
    schema = action.parameters
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise ValueError(f"{action.name} : le schéma des paramètres doit être un objet")
    _CATALOGUE[action.name] = action
    return action


def get(name: str) -> Action | None:
    return _CATALOGUE.get(name)


def catalogue() -> Mapping[str, Action]:
    return MappingProxyType(dict(sorted(_CATALOGUE.items())))
