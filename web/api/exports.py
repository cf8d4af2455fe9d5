"""The API's lists as CSV or XLSX files (web.tabular, web.exports): the same filters as each list,
every row (up to the export bound) instead of a page, the same roles. `format=csv` (default) is
UTF-8 with a BOM and `;` separators; `format=xlsx` a spreadsheet. Past the bound: 422."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, fields

from services import cases, licences
from web import exports, tabular
from web.api.schemas import CaseFilters, In, SessionFilters, TaskFilters, one_of
from web.auth import current_user, require

blp = Blueprint("exports", __name__, url_prefix="/api/v1",
                description="Exports CSV et XLSX des listes (tous les résultats filtrés)")

FILE_RESPONSES = {
    "200": {"description": "Le fichier : CSV (UTF-8 avec BOM, séparateur « ; », dates "
                           "JJ/MM/AAAA) ou XLSX",
            "content": {"text/csv": {"schema": {"type": "string"}},
                        tabular.XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}},
    "401": {"description": "Jeton absent ou invalide"},
    "403": {"description": "Rôle ou centre non autorisé"},
    "422": {"description": "Filtre invalide, ou plus de lignes que la limite de l'export "
                           "(100 000 par défaut)"},
}


class ExportArgs(In):
    format = fields.String(load_default="csv", validate=one_of(list(tabular.FORMATS)),
                           metadata={"description": "csv (par défaut) ou xlsx"})


class TaskExportArgs(ExportArgs, TaskFilters):
    pass


class CaseExportArgs(ExportArgs, CaseFilters):
    pass


class SessionExportArgs(ExportArgs, SessionFilters):
    pass


@blp.route("/tasks/export")
@require("agent")
@blp.arguments(TaskExportArgs, location="query", unknown=RAISE)
@blp.doc(responses=FILE_RESPONSES)
def export_tasks(args):
    """Exporter les tâches filtrées (mêmes filtres que GET /tasks)"""
    return tabular.response(exports.api_tasks_table(
        current_user(), args["case"], args["key"], args["mine"], args["state"],
        args["groups"] == "mine"), args["format"])


@blp.route("/cases/export")
@require("agent")
@blp.arguments(CaseExportArgs, location="query", unknown=RAISE)
@blp.doc(responses=FILE_RESPONSES)
def export_cases(args):
    """Exporter les dossiers filtrés (mêmes filtres que GET /cases)"""
    return tabular.response(exports.cases_table(args["status"], args["licence"], args["q"],
                                                args["overdue"]), args["format"])


@blp.route("/sessions/export")
@require("agent", "centre")
@blp.arguments(SessionExportArgs, location="query", unknown=RAISE)
@blp.doc(responses=FILE_RESPONSES)
def export_sessions(args):
    """Exporter les sessions filtrées (un centre : les siennes seulement)"""
    return tabular.response(exports.sessions_table(current_user(), args["centre"],
                                                   args["from_"], args["to"], None),
                            args["format"])


@blp.route("/cases/<int:case_id>/events/export")
@require("agent")
@blp.arguments(ExportArgs, location="query", unknown=RAISE)
@blp.doc(responses={**FILE_RESPONSES, "404": {"description": "Dossier inconnu"}})
def export_events(args, case_id):
    """Exporter l'historique d'un dossier"""
    return tabular.response(exports.history_table(cases.get(case_id)), args["format"])


@blp.route("/licences/<number>/movements/export")
@require("agent")
@blp.arguments(ExportArgs, location="query", unknown=RAISE)
@blp.doc(responses={**FILE_RESPONSES, "404": {"description": "Permis inconnu"}})
def export_movements(args, number):
    """Exporter le relevé de points d'un permis (mouvements connus à ce jour)"""
    return tabular.response(exports.ledger_table(licences.get(number)), args["format"])
