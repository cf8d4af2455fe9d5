"""Action `affecter_groupe`: offer a user task of the case's process to a clerks' group, instead
of the group its lane names (workflows/lanes.py). The choice lives in the instance's data, so a
task opened later is offered to that group as well as one open now."""

from sqlalchemy import select

from services import audit
from services.actions.registry import Action, register
from services.db import db
from services.models import Group
from workflows import ActionFailed
from workflows.lanes import GROUP_CODE


def _exists(code: str) -> bool:
    return db.session.scalar(select(Group.id).where(Group.code == code)) is not None


def run(ctx, params: dict) -> None:
    tache, groupe = params["tache"], params["groupe"]
    if not _exists(groupe):
        raise ActionFailed(f"le groupe « {groupe[:80]} » n'existe pas")
    ctx.call.assign_task(tache, groupe)
    audit.record(ctx.case, "tache_affectee", ctx.actor, task=tache, group=groupe,
                 element=ctx.element_id)


def deploy_check(ctx, literals: dict) -> list[str]:
    out = []
    tache, groupe = literals.get("tache"), literals.get("groupe")
    if tache is not None and tache not in ctx.user_tasks:
        out.append(f"« {tache[:80]} » n'est pas une tâche utilisateur de ce processus")
    if groupe is not None and not _exists(groupe):
        out.append(f"le groupe « {groupe[:80]} » n'existe pas")
    return out


ACTION = register(Action(
    name="affecter_groupe", label="Affecter une tâche à un groupe",
    description="Propose une tâche utilisateur du processus à un groupe d'agents, au lieu du "
                "groupe de son couloir.",
    parameters={"type": "object", "additionalProperties": False, "required": ["tache", "groupe"],
                "properties": {
                    "tache": {"type": "string", "minLength": 1, "maxLength": 200,
                              "title": "Tâche utilisateur (identifiant BPMN)"},
                    "groupe": {"type": "string", "pattern": GROUP_CODE.pattern,
                               "title": "Code du groupe"}}},
    run=run, deploy_check=deploy_check))
