"""The catalogue of actions a service task may call (designers), and the outbox of the jobs
some of them write (admins): services/actions, services/outbox.py."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields

from services import actions, outbox
from web.api.instants import Instant
from web.api.schemas import PageArgs, code, page_body, page_schema
from web.auth import current_user, require

blp = Blueprint("actions", __name__, url_prefix="/api/v1/actions",
                description="Le catalogue des actions des tâches de service (concepteurs)")
outbox_blp = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox",
                       description="Les envois différés (courriels) écrits par les actions du "
                                   "catalogue, réessayés jusqu'à leur envoi (administrateurs)")


class ActionSchema(Schema):
    name = fields.String(metadata={"description": "ce que nomme camunda:topic"})
    label = fields.String()
    description = fields.String()
    parameters = fields.Dict(metadata={"description": "schéma JSON des paramètres"})
    job = fields.Boolean(metadata={"description": "vrai : un envoi différé (boîte d'envoi)"})


class ActionList(Schema):
    items = fields.List(fields.Nested(ActionSchema))


@blp.route("", methods=["GET"])
@require("designer")
@blp.response(200, ActionList)
def list_actions():
    """Les actions du catalogue, leurs paramètres (schéma JSON) et si elles sont différées"""
    return {"items": [a.view() for a in actions.catalogue().values()]}


class OutboxJobSchema(Schema):
    id = fields.Integer()
    channel = fields.String()
    key = fields.String(metadata={"description": "clé d'idempotence (Message-ID)"})
    case_id = fields.Integer(allow_none=True)
    action = fields.String()
    to = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    status = code(outbox.STATUS_LABELS)
    status_label = fields.String()
    attempts = fields.Integer()
    next_attempt_at = Instant(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = Instant()
    sent_at = Instant(allow_none=True)


class OutboxListArgs(PageArgs):
    class Meta:
        unknown = RAISE

    status = code(outbox.STATUS_LABELS, load_default=None)


OutboxPage = page_schema(OutboxJobSchema, "OutboxPage")


@outbox_blp.route("", methods=["GET"])
@require("admin")
@outbox_blp.arguments(OutboxListArgs, location="query", unknown=RAISE)
@outbox_blp.response(200, OutboxPage)
def list_jobs(args):
    """Les envois différés, du plus récent au plus ancien (administrateurs)"""
    items, total = outbox.list_jobs(args["status"], args["page"], args["per_page"])
    return page_body(items, total, args)


@outbox_blp.route("/<int:job_id>/retry", methods=["POST"])
@require("admin")
@outbox_blp.response(200, OutboxJobSchema)
def retry_job(job_id):
    """Relancer un envoi abandonné (409 s'il ne l'est pas)"""
    return outbox.retry(job_id, current_user().username)
