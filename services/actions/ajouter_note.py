"""Action `ajouter_note`: a note in the case's history (cases have no other notes)."""

from services import audit
from services.actions.registry import Action, register


def run(ctx, params: dict) -> None:
    audit.record(ctx.case, "note_ajoutee", ctx.actor, texte=params["texte"],
                 element=ctx.element_id)


ACTION = register(Action(
    name="ajouter_note", label="Ajouter une note au dossier",
    description="Inscrit une note dans l'historique du dossier.",
    parameters={"type": "object", "additionalProperties": False, "required": ["texte"],
                "properties": {"texte": {"type": "string", "minLength": 1, "maxLength": 2000,
                                         "title": "Texte de la note"}}},
    run=run))
