"""Incidents (services/incidents.py): what a deployed process version could not run on a case,
for designers and admins."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields

from services import incidents
from web.api.instants import Instant
from web.api.schemas import PageArgs, one_of, page_body, page_schema
from web.auth import current_user, require

blp = Blueprint("incidents", __name__, url_prefix="/api/v1/incidents",
                description="Incidents de processus : ce qu'une version déployée n'a pas pu "
                            "exécuter sur un dossier (limite atteinte, erreur dans un script, "
                            "une condition ou une minuterie)")


class IncidentSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True, metadata={
        "description": "null quand l'ouverture du dossier elle-même a échoué"})
    process = fields.String()
    version = fields.Integer()
    element = fields.String(allow_none=True, metadata={"description": "id BPMN de l'élément"})
    command = fields.String(metadata={"description": "l'action qui a échoué"})
    message = fields.String()
    actor = fields.String()
    at = Instant()
    last_at = Instant()
    occurrences = fields.Integer()
    resolved = fields.Boolean()
    resolved_at = Instant(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class IncidentListArgs(PageArgs):
    class Meta:
        unknown = RAISE

    state = fields.String(load_default=None, validate=one_of(["ouverts", "resolus"]),
                          metadata={"description": "ouverts ou resolus (tous sans ce paramètre)"})


IncidentPage = page_schema(IncidentSchema, "IncidentPage")


@blp.route("", methods=["GET"])
@require("designer")
@blp.arguments(IncidentListArgs, location="query", unknown=RAISE)
@blp.response(200, IncidentPage)
def list_incidents(args):
    """Les incidents, du plus récent au plus ancien (concepteurs, administrateurs)"""
    items, total = incidents.list_incidents(args["state"], args["page"], args["per_page"])
    return page_body(items, total, args)


@blp.route("/<int:incident_id>", methods=["GET"])
@require("designer")
@blp.response(200, IncidentSchema)
def get_incident(incident_id):
    """Un incident"""
    return incidents.view(incidents.get(incident_id))


@blp.route("/<int:incident_id>/resolve", methods=["POST"])
@require("designer")
@blp.response(200, IncidentSchema)
def resolve_incident(incident_id):
    """Marquer un incident comme résolu (version corrigée, ou dossier migré) : le minuteur
    reprend le dossier ; 409 s'il l'est déjà"""
    return incidents.resolve(incident_id, current_user().username)
