"""Action `generer_courrier`: a letter made from one of the bundle's templates (`courriers/
<modele>.html`), stored with the case as an immutable PDF (services/letters)."""

from services.actions.registry import Action, register
from services.incidents import IncidentRaised
from services.letters import issue_letter
from services.letters.render import template_ids
from workflows import ActionFailed


def run(ctx, params: dict) -> None:
    try:
        issue_letter(ctx.case, params["modele"], actor=ctx.actor, version_id=ctx.version_id,
                     checksum=ctx.checksum, ledger=ctx.ledger)
    except IncidentRaised as exc:  # the engine turns ActionFailed into the incident, on the task
        raise ActionFailed(exc.message) from None


def deploy_check(ctx, literals: dict) -> list[str]:
    modele = literals.get("modele")
    if modele is None or modele in template_ids(ctx.files):
        return []
    known = ", ".join(template_ids(ctx.files)) or "aucun"
    return [f"le modèle de courrier « {modele[:80]} » n'est pas dans le paquet "
            f"(courriers/{modele[:80]}.html) ; modèles du paquet : {known}"]


ACTION = register(Action(
    name="generer_courrier", label="Générer un courrier",
    description="Produit le courrier (PDF) du modèle choisi, à partir des données du dossier, "
                "et le joint au dossier.",
    parameters={"type": "object", "additionalProperties": False, "required": ["modele"],
                "properties": {"modele": {
                    "type": "string", "pattern": "^[a-z0-9][a-z0-9_]{0,79}$", "maxLength": 80,
                    "title": "Modèle de courrier (courriers/<modèle>.html)"}}},
    run=run, deploy_check=deploy_check))
