"""Action `notifier_centre`: notify the case's course centre (the centre of the session it is
enrolled in). Recorded in the case's history at once; sent through the configured channel
(services/channels.py). Its email is an OUTBOX JOB (services/outbox.py): written in the
command's transaction, sent after it commits, retried, never sent twice."""

from flask import current_app

from services import audit, channels, outbox
from services.actions.registry import Action, register
from workflows import ActionFailed


def _centre(case):
    session = case.session or next((e.session for e in reversed(case.enrollments)
                                     if e.status != "cancelled"), None)
    return session.centre if session is not None else None


def run(ctx, params: dict) -> None:
    case = ctx.case
    centre = _centre(case)
    if centre is None:
        raise ActionFailed("le dossier n'est inscrit dans aucune session : pas de centre à "
                           "prévenir")
    channel, job_id = channels.configured(), None
    if channel != "journal" and centre.email:
        body = (f"{params['message']}\n\n--\nDossier {case.reference or case.id} — préfecture, "
                "service des stages de sensibilisation à la sécurité routière.")
        job = outbox.enqueue(channel, case_id=case.id, action=ACTION.name,
                             key=outbox.new_key(current_app.config.get("SMTP_FROM", "")),
                             payload={"to": centre.email, "subject": params["objet"],
                                      "body": body})
        job_id = job.key
    audit.record(case, "centre_notifie", ctx.actor, centre=centre.name, objet=params["objet"],
                 message=params["message"], canal=channel if job_id else "journal",
                 envoi=job_id or ("aucune adresse électronique connue pour ce centre"
                                  if channel != "journal" else None),
                 element=ctx.element_id)


ACTION = register(Action(
    name="notifier_centre", label="Prévenir le centre de stage",
    description="Envoie un message au centre de la session du dossier (courriel, en tâche de "
                "fond réessayée) et l'inscrit dans l'historique du dossier.",
    parameters={"type": "object", "additionalProperties": False,
                "required": ["objet", "message"],
                "properties": {
                    "objet": {"type": "string", "minLength": 1, "maxLength": 200,
                              "pattern": "^[^\\r\\n]*$", "title": "Objet (une ligne)"},
                    "message": {"type": "string", "minLength": 1, "maxLength": 5000,
                                "title": "Message"}}},
    run=run, job=True))
