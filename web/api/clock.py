from __future__ import annotations

from flask_smorest import Blueprint

from services import timers
from services.clock import clock, start_of_day
from web.api.schemas import ClockInSchema, ClockSchema, FiredSchema
from web.auth import current_user, require

blp = Blueprint("clock", __name__, url_prefix="/api/v1", description="Horloge et minuteurs")


def _view():
    now = clock().now()
    return {"now": now.isoformat(), "today": now.date(), "mode": clock().mode}


@blp.route("/clock", methods=["GET"])
@require("agent", "designer", "centre")
@blp.response(200, ClockSchema)
def get_clock():
    """L'heure de l'application (Europe/Paris)"""
    return _view()


@blp.route("/clock", methods=["PUT"])
@require("admin")
@blp.arguments(ClockInSchema)
@blp.response(200, ClockSchema)
def put_clock(data):
    """Régler l'horloge (mode manuel seulement ; elle ne recule jamais)"""
    instant = data["now"] if data.get("now") is not None else start_of_day(data["today"])
    clock().set(instant, actor=current_user().username)
    return _view()


@blp.route("/timers/run", methods=["POST"])
@require("admin")
@blp.response(200, FiredSchema)
def run_timers():
    """Déclencher les minuteurs échus à l'heure de l'horloge"""
    # the history names the admin who ran them, as every other command names its caller
    return {"fired": timers.run_due(actor=current_user().username)}
