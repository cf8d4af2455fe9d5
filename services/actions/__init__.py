"""The catalogue of actions of service tasks (registry.py), its checks (checks.py), and one
module per action, imported here so that each registers itself: adding an action is adding
one module to this package."""

from __future__ import annotations

import importlib
import pkgutil

from services.actions.checks import checked_params, definition_problems
from services.actions.registry import (
    Action,
    ActionContext,
    DeployContext,
    catalogue,
    get,
    register,
)
from workflows import ActionCall, ActionFailed

_SUPPORT = {"registry", "checks"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_module.name}")


def run(case, actor: str, call: ActionCall, version_id: int | None = None, *,
        checksum: str | None = None, ledger=None) -> None:
    """Run the action a service task calls, in the current command's transaction: ActionFailed
    (French, an incident on the case) for an action the catalogue no longer has or bad
    parameters; the action's own failures likewise. `checksum` and `ledger`: what the run
    already knows (ActionContext)."""
    action = get(call.action)
    if action is None:
        raise ActionFailed(f"action inconnue « {call.action[:80]} »")
    params = checked_params(action, dict(call.params))
    action.run(ActionContext(case, actor, call, version_id, checksum, ledger), params)


__all__ = ["Action", "ActionContext", "DeployContext", "catalogue", "definition_problems",
           "get", "register", "run"]
