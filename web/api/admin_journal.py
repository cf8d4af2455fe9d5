"""The admins' journal (services/admin_log.py): who created users and tokens, changed a role, a
password or an account's state, made or renamed a group, set someone's groups, moved the manual
clock or put an abandoned send back; when, and each change as [before, after]. Admins only."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields

from services import admin_log
from web.api.instants import Instant
from web.api.schemas import PageArgs, code, length, page_body, page_schema
from web.auth import require

blp = Blueprint("admin_journal", __name__, url_prefix="/api/v1/admin",
                description="Le journal des actions des administrateurs (administrateurs)")


class AdminEventSchema(Schema):
    id = fields.Integer()
    at = Instant(metadata={"description": "l'heure réelle (même sous une horloge "
                                                  "manuelle)"})
    actor = fields.String(metadata={"description": "nom de l'administrateur ; « cli:COMPTE » "
                                                   "pour la ligne de commande, « systeme » "
                                                   "pour les données de démonstration"})
    type = code(admin_log.LABELS)
    label = fields.Function(lambda e: admin_log.LABELS.get(e.type, e.type))
    subject = fields.String(metadata={"description": "utilisateur:NOM, groupe:CODE, horloge, "
                                                     "envoi:N"})
    detail = fields.Dict(metadata={"description": "chaque changement en {champ: [avant, "
                                                  "après]}"})


class AdminEventArgs(PageArgs):
    class Meta:
        unknown = RAISE

    type = code(admin_log.LABELS, load_default=None)
    subject = fields.String(load_default=None, validate=length(1, 120),
                            metadata={"example": "utilisateur:agent"})


AdminEventPage = page_schema(AdminEventSchema, "AdminEventPage")


@blp.route("/events", methods=["GET"])
@require("admin")
@blp.arguments(AdminEventArgs, location="query", unknown=RAISE)
@blp.response(200, AdminEventPage)
def list_events(args):
    """Le journal des administrateurs, du plus récent au plus ancien"""
    items, total = admin_log.list_events(args["page"], args["per_page"], args["type"],
                                         args["subject"])
    return page_body(items, total, args)
