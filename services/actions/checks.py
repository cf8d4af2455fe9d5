"""The catalogue's checks of service tasks: at deployment (each literal parameter against the
action's JSON Schema, French problems on the element) and when the task runs (every parameter,
evaluated)."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from services.actions.registry import Action, DeployContext, catalogue, get
from workflows import ActionFailed, DefinitionProblem, ServiceCall, service_calls

_TYPES_FR = {"string": "un texte", "integer": "un nombre entier", "number": "un nombre",
             "boolean": "un booléen", "array": "une liste", "object": "un objet"}


def _error_fr(error) -> str:
    """One JSON Schema error in French (the library's own text is English)."""
    kind, value = error.validator, error.validator_value
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        return "doit être " + " ou ".join(_TYPES_FR.get(w, w) for w in wanted)
    if kind == "minLength":
        return "ne doit pas être vide" if value == 1 else f"au moins {value} caractères"
    if kind == "maxLength":
        return f"au plus {value} caractères"
    if kind == "pattern":
        return "format non respecté (lettres sans accent, chiffres, « _ » ou « - »)"
    if kind == "enum":
        return "valeurs permises : " + ", ".join(f"« {v} »" for v in value)
    if kind in ("minimum", "maximum"):
        return f"{'au moins' if kind == 'minimum' else 'au plus'} {value}"
    return "valeur refusée"


def _value_problems(action: Action, name: str, value) -> list[str]:
    schema = action.parameters["properties"][name]
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: e.path)
    return [f"paramètre « {name} » : {_error_fr(e)}" for e in errors[:3]]


def call_problems(call: ServiceCall, ctx: DeployContext) -> list[str]:
    """Why the catalogue refuses this service task as drawn (French), empty when it may run."""
    if not call.action:
        return []  # the convention's own check says so (workflows/service_tasks.py)
    action = get(call.action)
    if action is None:
        known = ", ".join(sorted(catalogue()))
        return [f"action inconnue « {call.action[:80]} » (actions du catalogue : {known})"]
    props = action.parameters["properties"]
    given = {p.name for p in call.parameters if p.name}
    out = [f"paramètre inconnu « {name[:80]} » pour l'action « {action.name} » "
           f"(paramètres : {', '.join(props) or 'aucun'})" for name in sorted(given - set(props))]
    out += [f"paramètre obligatoire manquant : « {name} »"
            for name in action.parameters.get("required", ()) if name not in given]
    literals = {n: v for n, v in call.literals().items() if n in props and v != "\0"}
    for name, value in literals.items():
        out += _value_problems(action, name, value)
    if not out and action.deploy_check is not None:
        out += action.deploy_check(ctx, literals)
    return out


def definition_problems(xml: bytes, files: dict | None = None) -> list[DefinitionProblem]:
    """A problem on each service task of the bundle (`xml` and its `files`) that names an
    unknown action or bad parameters."""
    calls, user_tasks = service_calls(xml)
    if not calls:
        return []
    ctx = DeployContext(frozenset(user_tasks), dict(files or {}))
    return [DefinitionProblem(call.element_id or None, call.line, f"tâche de service : {msg}")
            for call in calls for msg in call_problems(call, ctx)]


def checked_params(action: Action, params: dict) -> dict:
    """The evaluated parameters, checked against the schema when the task runs: ActionFailed
    (French: an incident on the case) otherwise."""
    errors = list(Draft202012Validator(action.parameters).iter_errors(params))
    if errors:
        first = errors[0]
        where = f"« {first.path[0]} »" if first.path else ""
        if first.validator == "required":
            missing = [n for n in first.validator_value if n not in params]
            raise ActionFailed(f"paramètre obligatoire manquant : « {missing[0]} »")
        if first.validator == "additionalProperties":
            raise ActionFailed("paramètre inconnu pour cette action")
        raise ActionFailed(f"paramètre {where} : {_error_fr(first)}".replace("  ", " "))
    return params
