"""The prefecture's monthly figures (GET /api/v1/statistics) and a process version's heatmap
(GET /api/v1/processes/{key}/versions/{n}/heatmap): agents, designers (heatmap) and admins."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields

from services import processes, statistics
from web.api.schemas import In, code, length
from web.auth import require

blp = Blueprint("statistics", __name__, url_prefix="/api/v1",
                description="Statistiques mensuelles de la préfecture et carte de chaleur des "
                            "processus")


class StatisticsArgs(In):
    from_ = fields.String(data_key="from", load_default=None, validate=length(0, 7),
                          metadata={"description": "premier mois AAAA-MM (par défaut : 11 mois "
                                                   "avant le dernier)"})
    to = fields.String(load_default=None, validate=length(0, 7),
                       metadata={"description": "dernier mois AAAA-MM (par défaut : le mois "
                                                "en cours)"})
    centre = fields.String(load_default=None, validate=length(0, 30),
                           metadata={"description": "agrément d'un centre : les dossiers "
                                                    "inscrits à une de ses sessions"})


def _ints():
    return fields.List(fields.Integer(allow_none=True))


def _numbers():
    return fields.List(fields.Float(allow_none=True))


class CasesOpenedSchema(Schema):
    mandatory = _ints()
    voluntary = _ints()


class CoursesSchema(Schema):
    in_time = _ints()
    late = _ints()
    no_deadline = _ints()


class ObligationsSchema(Schema):
    met = _ints()
    not_met = _ints()
    pending = _ints()
    share_met_percent = _numbers()


class PointsSchema(Schema):
    courses_credited = _ints()
    points = _ints()
    refused = _ints()


class RefundsSchema(Schema):
    granted = _ints()
    refused = _ints()
    amount_eur = _numbers()


class ReferralsSchema(Schema):
    candidates = _ints()
    referred = _ints()
    not_referred = _ints()


class CreditDelaySchema(Schema):
    credited = _ints()
    within_one_month = _ints()
    beyond_one_month = _ints()
    median_days = _ints()
    p90_days = _ints()


class TaskAgeRowSchema(Schema):
    key = fields.String()
    title = fields.String()
    counts = _ints()
    total = fields.Integer()


class TasksByAgeSchema(Schema):
    as_of = fields.String()
    buckets = fields.List(code(label for label, _lower in statistics.AGE_BUCKETS))
    tasks = fields.List(fields.Nested(TaskAgeRowSchema))
    totals = _ints()


class StatisticsSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    centre = fields.String(allow_none=True)
    months = fields.List(fields.String())
    letters_48n = _ints()
    cases_opened = fields.Nested(CasesOpenedSchema)
    courses = fields.Nested(CoursesSchema)
    obligations = fields.Nested(ObligationsSchema)
    points = fields.Nested(PointsSchema)
    refunds = fields.Nested(RefundsSchema)
    referrals = fields.Nested(ReferralsSchema)
    credit_delay = fields.Nested(CreditDelaySchema)
    open_tasks_by_age = fields.Nested(TasksByAgeSchema)
    computed_at = fields.String(metadata={"description": "quand ces chiffres ont été lus (les "
                                                         "compteurs sont tenus à jour par chaque "
                                                         "commande)"})


class HeatmapStepSchema(Schema):
    element = fields.String()
    kind = code(statistics.HEATMAP_KINDS, metadata={
        "description": "task (tâche ouverte) ou timer (minuteur)"})
    waiting = fields.Integer()
    median_days = fields.Float(allow_none=True, metadata={
        "description": "médiane du temps passé, en jours entiers depuis le jour (heure de "
                       "Paris) où chaque tâche ouverte a été créée"})
    p90_days = fields.Float(allow_none=True)


class HeatmapSchema(Schema):
    process = fields.String()
    version = fields.Integer()
    running = fields.Integer()
    steps = fields.List(fields.Nested(HeatmapStepSchema))
    computed_at = fields.String()


@blp.route("/statistics", methods=["GET"])
@require("agent")
@blp.arguments(StatisticsArgs, location="query", unknown=RAISE)
@blp.response(200, StatisticsSchema)
def get_statistics(args):
    """Les chiffres mensuels : lettres 48N et dossiers ouverts, stages (dans le délai, hors
    délai, R19), obligations remplies, points crédités, remboursements, signalements, délai de
    crédit (un mois, R39, D4) et tâches ouvertes par ancienneté. Chaque série a une valeur par
    mois de `months`. Filtres : période (`from`, `to`, 36 mois au plus) et centre."""
    body = statistics.monthly(args["from_"], args["to"], args["centre"])
    body["from_"] = body.pop("from")
    return body


@blp.route("/processes/<key>/versions/<int:number>/heatmap", methods=["GET"])
@require("agent", "designer")
@blp.response(200, HeatmapSchema)
def get_heatmap(key, number):
    """Où attendent les dossiers en cours de cette version : à chaque tâche (nombre, médiane et
    90e centile du temps passé, en jours) et à chaque minuteur (nombre)."""
    return statistics.heatmap(processes.get_version(key, number))
