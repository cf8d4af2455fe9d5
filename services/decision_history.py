"""The decisions a case's process made with its DMN tables, in the case history (issue 15):
each decision's inputs, the rules retained and its outputs, told to clerks in French."""

from __future__ import annotations

from services import audit

EVENT = "decision_table"


def _value(value) -> str:
    if isinstance(value, str):
        return f"« {value} »"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "aucune valeur"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def message(made) -> str:
    """« Décision « Priorité du dossier » : règle 2 retenue (entrées : Points = 6) → Priorité =
    « haute » » (a workflows.decisions.DecisionMade): inputs and outputs by their columns'
    labels."""
    if not made.rules:
        rules = "aucune règle retenue"
    elif len(made.rules) == 1:
        rules = f"règle {made.rules[0][0]} retenue"
    else:
        rules = "règles " + ", ".join(str(i) for i, _ in made.rules) + " retenues"
    inputs = ", ".join(f"{label} = {_value(v)}" for label, v in made.inputs)
    # the column's label, as the designer wrote it in the table, not the variable it sets
    outputs = ", ".join(f"{made.output_labels.get(name) or name} = {_value(v)}"
                        for name, v in made.outputs.items())
    return (f"Décision « {made.name} » : {rules}"
            + (f" (entrées : {inputs})" if inputs else "") + f" → {outputs or 'aucune sortie'}")


def record(case, decisions, actor: str) -> None:
    """One history event per decision made by the command's run, in its transaction."""
    for made in decisions:
        audit.record(case, EVENT, actor, message=message(made), table=made.decision_id,
                     tache=made.task_id, regles=[i for i, _ in made.rules],
                     entrees={label: v for label, v in made.inputs}, sorties=made.outputs,
                     libelles_sorties={name: made.output_labels[name] for name in made.outputs
                                       if made.output_labels.get(name, name) != name})
