"""Actions `poser_drapeau` and `lever_drapeau`: a flag on the case, as the events raise them
(Case.flags, {"rule", "message"}); lifting one removes the stored flags of its code (the flags
the law computes on reading, services/outcome.case_flags, are not the process's to lift)."""

from services import audit
from services.actions.registry import Action, register

CODE = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$", "title": "Code du drapeau"}
LIBELLE = {"type": "string", "minLength": 1, "maxLength": 300, "title": "Libellé"}


def poser(ctx, params: dict) -> None:
    ctx.case.add_flag(params["code"], params["libelle"])
    audit.record(ctx.case, "drapeau_pose", ctx.actor, rule=params["code"],
                 message=params["libelle"], element=ctx.element_id)


def lever(ctx, params: dict) -> None:
    code, libelle = params["code"], params.get("libelle")
    flags = list(ctx.case.flags or [])
    kept = [f for f in flags if not (f.get("rule") == code
                                     and (libelle is None or f.get("message") == libelle))]
    if len(kept) != len(flags):
        ctx.case.flags = kept
    audit.record(ctx.case, "drapeau_leve", ctx.actor, rule=code, message=libelle,
                 removed=len(flags) - len(kept), element=ctx.element_id)


POSER = register(Action(
    name="poser_drapeau", label="Poser un drapeau sur le dossier",
    description="Ajoute au dossier un drapeau (code et libellé) visible des agents.",
    parameters={"type": "object", "additionalProperties": False, "required": ["code", "libelle"],
                "properties": {"code": CODE, "libelle": LIBELLE}},
    run=poser))

LEVER = register(Action(
    name="lever_drapeau", label="Lever un drapeau du dossier",
    description="Retire du dossier les drapeaux de ce code (seulement ceux de ce libellé s'il "
                "est donné).",
    parameters={"type": "object", "additionalProperties": False, "required": ["code"],
                "properties": {"code": CODE, "libelle": LIBELLE}},
    run=lever))
