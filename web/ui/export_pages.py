"""Downloads of the lists as CSV or XLSX (web.exports, web.tabular): the task list, the cases and
licences found by a search, the sessions, a licence's points ledger, a case's history. Each takes
the same filters as its page (the links carry the page's query string) and the same access rules:
agents for all of them, a centre for its own centre's sessions only."""

from __future__ import annotations

from flask import request, url_for

from services import cases, licences
from services.errors import Invalid, sentences
from services.reads import worklist
from web import exports, tabular
from web.api.schemas import SessionListArgs
from web.auth import current_user
from web.labels import SESSION_STATUS_LABELS
from web.ui.listing import date_arg
from web.ui.routes import Pages
from web.ui.security import login_required
from web.ui.session_pages import FILTER_FORM

pages = Pages()

FMT = "<any(csv, xlsx):fmt>"
PAGE_ARGS = {"page", "permis", "releve", "historique", "dossiers"}  # page numbers, not filters


@pages.app_template_global()
def export_url(endpoint: str, fmt: str, keep_args: bool = True, **args) -> str:
    """The export of a list in `fmt`, with the current page's filters (not its page numbers)."""
    query = ({k: v for k, v in request.args.items() if k not in PAGE_ARGS and v}
             if keep_args else {})
    return url_for(endpoint, fmt=fmt, **{**query, **args})


@pages.route(f"/taches/export.{FMT}")
@login_required("agent")
def task_export(fmt: str):
    key = request.args.get("tache", "")  # an unknown one is left out, as on the page
    return tabular.response(exports.tasks_table(
        current_user(), request.args.get("filtre", ""),
        key if key in worklist.task_kinds() else "",
        date_arg("echeance_avant"), request.args.get("tri", "echeance")), fmt)


@pages.route(f"/recherche/dossiers.{FMT}")
@login_required("agent")
def case_export(fmt: str):
    """The cases of a search (q), or of one licence (licence: its page's list)."""
    q = request.args.get("q", "").strip() or None
    number = request.args.get("licence", "").strip() or None
    if number is not None:
        licences.get(number)  # an unknown licence: 404, as its page
    return tabular.response(exports.cases_table(None, number, q, False), fmt)


@pages.route(f"/recherche/permis.{FMT}")
@login_required("agent")
def licence_export(fmt: str):
    return tabular.response(exports.licences_table(request.args.get("q", "").strip()), fmt)


@pages.route(f"/sessions/export.{FMT}")
@login_required("agent", "centre")
def session_export(fmt: str):
    user = current_user()
    status = request.args.get("statut", "")
    status = status if status in SESSION_STATUS_LABELS else ""
    args = {k: v for k, v in request.args.items() if k in FILTER_FORM.fields and v}
    if user.role == "centre":
        args.pop("centre", None)  # its own sessions only, whatever the link says
    try:
        filters = FILTER_FORM.load(SessionListArgs, args, {"page": 1, "per_page": 1})
    except Invalid as exc:
        raise Invalid("Les filtres de l'export sont invalides : " + sentences(
            f"{FILTER_FORM.fields[k].label if k in FILTER_FORM.fields else k} : {m}"
            for k, msgs in exc.errors.items() for m in msgs), exc.errors) from None
    return tabular.response(exports.sessions_table(user, filters["centre"], filters["from_"],
                                                   filters["to"], status or None), fmt)


@pages.route(f"/permis/<number>/releve.{FMT}")
@login_required("agent")
def ledger_export(number: str, fmt: str):
    return tabular.response(exports.ledger_table(licences.get(number)), fmt)


@pages.route(f"/dossiers/<int:case_id>/historique.{FMT}")
@login_required("agent")
def history_export(case_id: int, fmt: str):
    return tabular.response(exports.history_table(cases.get(case_id)), fmt)
