from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services import licences
from web.api.schemas import (
    BalanceArgs,
    BalanceSchema,
    InfractionInSchema,
    InfractionSchema,
    InvalidationInSchema,
    InvalidationSchema,
    LicenceInSchema,
    LicenceSchema,
)
from web.auth import current_user, require

blp = Blueprint("licences", __name__, url_prefix="/api/v1/licences",
                description="Permis et relevé de points (R1–R8, R26, R43)")


@blp.route("")
class Licences(MethodView):
    @require("agent")
    @blp.arguments(LicenceInSchema)
    @blp.response(201, LicenceSchema)
    def post(self, data):
        """Enregistrer un permis (solde importé facultatif)"""
        licence = licences.create(data, current_user().username)
        number = licence.number
        return licences.view(licences.get(number))


@blp.route("/<number>")
@require("agent")
@blp.response(200, LicenceSchema)
def get_licence(number):
    """Le permis, son solde, son plafond et ses mouvements à la date du jour"""
    return licences.view(licences.get(number))


@blp.route("/<number>/balance")
@require("agent")
@blp.arguments(BalanceArgs, location="query", unknown=RAISE)
@blp.response(200, BalanceSchema)
def get_balance(args, number):
    """Le solde en droit à une date (R8, R43)"""
    return licences.balance(licences.get(number), args["on"])


@blp.route("/<number>/infractions", methods=["POST"])
@require("agent")
@blp.arguments(InfractionInSchema)
@blp.response(201, InfractionSchema)
def post_infraction(data, number):
    """Enregistrer une infraction et son retrait de points (R8, R15)"""
    recorded = licences.record_infraction(licences.get(number), data, current_user().username)
    return licences.infraction_view(recorded)


@blp.route("/<number>/invalidation", methods=["POST"])
@require("agent")
@blp.arguments(InvalidationInSchema)
@blp.response(201, InvalidationSchema)
def post_invalidation(data, number):
    """Enregistrer une 48SI (R6, R42) ; les dossiers ouverts passent en examen manuel (Q8)"""
    return licences.add_invalidation(licences.get(number), data, current_user().username)
