"""The UI blueprint and its common pages: login, dashboard, tasklist, search, settings; the
French filters and error pages. The case, licence and session pages are in their own modules
(case_pages, licence_pages, session_pages). Every command goes through the same services and the
same transaction as the REST API; the pages only read, shape and render."""

from __future__ import annotations

import datetime as dt
import functools

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from services import cases, licences, tasks, users
from services.clock import PARIS, clock
from services.db import db, transaction
from services.errors import Conflict, ServiceError
from services.reads import worklist
from services.rules.config import SWITCHES
from web.auth import current_user
from web.ui import forms, security
from web.ui.listing import PER_PAGE, date_arg, int_arg, page_url, pages
from web.ui.nav import home_url
from web.ui.security import (
    check_csrf,
    is_ui_path,
    log_in,
    log_out,
    login_required,
    login_throttled,
    refuse_nul,
    safe_next,
)

blp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates",
                static_folder="static", static_url_path="/static")
blp.before_request(refuse_nul)
blp.before_request(check_csrf)

STATUS_LABELS = {
    "nouveau": "Nouveau", "en_attente_inscription": "En attente d'inscription",
    "inscrit": "Inscrit à une session", "en_attente_resultat": "En attente du résultat du stage",
    "en_attente_attestation": "En attente de l'attestation",
    "verification_attestation": "Attestation à vérifier", "examen_manuel": "Examen manuel",
    "signalement_parquet": "Signalement au parquet à décider",
    "en_attente_conformite": "En attente de conformité", "clos": "Clos",
    "clos_invalidation": "Clos (invalidation)", "en_cours": "En cours",
}
EVENT_LABELS = {
    "dossier_ouvert": "Dossier ouvert", "inscription": "Inscription à une session",
    "presence_enregistree": "Présence enregistrée", "attestation_recue": "Attestation reçue",
    "tache_prise": "Tâche prise", "tache_rendue": "Tâche rendue",
    "tache_terminee": "Tâche terminée", "points_credites": "Points crédités",
    "remboursement_decide": "Remboursement décidé", "session_annulee": "Session annulée",
    "signalement_decide": "Signalement décidé", "echeance_depassee": "Échéance dépassée",
    "minuteur_declenche": "Minuteur déclenché", "invalidation_48si": "Invalidation (48SI)",
    "invalidation_constatee": "Invalidation constatée", "erreur_minuteur": "Erreur de minuteur",
    "migration_version": "Migration vers une autre version du processus",
}
OBLIGATION_LABELS = {"pending": "En attente", "met": "Satisfaite", "not_met": "Non satisfaite",
                     "manual_review": "Examen manuel"}
PROBATION_LABELS = {"classic": "classique (3 ans)", "aac": "apprentissage anticipé (2 ans)",
                    "none": "aucune (permis définitif)"}
RECEIPT_LABELS = {"signed": "signé", "unclaimed": "non réclamé",
                  "npai": "NPAI (n’habite pas à l’adresse indiquée)"}
SESSION_STATUS_LABELS = {"planned": "Planifiée", "held": "Tenue", "cancelled": "Annulée"}
MOVEMENT_LABELS = {"solde": "Solde de départ", "retrait": "Retrait", "majoration": "Majoration",
                   "stage": "Stage", "restitution": "Restitution"}
ATTENDANCE = (("present", "Présent"), ("absent", "Absent"), ("late", "En retard"))
# the details of the history's events (the services' audit.record), under French names
DETAIL_LABELS = {
    "kind": "type", "deadline": "échéance", "receipt": "accusé de réception",
    "process": "processus", "session": "session n°", "day1": "jour 1", "day2": "jour 2",
    "flags": "signalements", "attestation": "attestation délivrée", "reason": "motif",
    "on": "le", "regle": "règle", "rule": "règle", "decision_on": "décision du",
    "notified_on": "notifiée le", "decision": "décision", "motif": "motif", "points": "points",
    "effect_on": "effet le", "explication": "explication", "refund": "remboursement",
    "eligible": "possible", "amount": "montant (€)", "request_deadline": "à demander avant le",
    "timers": "minuteurs", "at": "à", "erreur": "erreur", "task": "tâche",
    "received_on": "reçue le", "credit_due_on": "points à créditer au plus tard le",
}


@blp.app_template_filter("fdate")
def _fdate(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


@blp.app_template_filter("fdatetime")
def _fdatetime(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


@blp.app_template_filter("fvalue")
def _fvalue(value) -> str:
    """A history detail value, readable: French dates, lists and objects spelled out."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            return _fdatetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(_fvalue(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{DETAIL_LABELS.get(k, k)} : {_fvalue(v)}" for k, v in value.items()
                         if v is not None)
    return str(value)


@functools.cache  # constant: built once, not for each history row
def _value_labels() -> dict[str, dict[str, str]]:
    attendance = dict(ATTENDANCE)
    return {"receipt": RECEIPT_LABELS, "day1": attendance, "day2": attendance,
            "task": _task_titles(), "decision": forms.LABELS}


@blp.app_template_filter("fdetail")
def _fdetail(detail: dict | None) -> str:
    """A history event's detail for people: its message, or each value under a French name."""
    detail = detail or {}
    if detail.get("message"):
        return detail["message"]
    labels = _value_labels()
    parts = []
    for key, value in detail.items():
        if value is None or value == "" or value == [] or (key == "title" and "task" in detail):
            continue  # nothing to show, or the task's title twice
        if isinstance(value, str):
            value = labels.get(key, {}).get(value, value)
        parts.append(f"{DETAIL_LABELS.get(key, key)} : {_fvalue(value)}")
    return " ; ".join(parts)


@blp.context_processor
def _labels():
    return {"STATUS_LABELS": STATUS_LABELS, "EVENT_LABELS": EVENT_LABELS,
            "OBLIGATION_LABELS": OBLIGATION_LABELS, "today": clock().today(),
            "page_url": page_url, "PROBATION_LABELS": PROBATION_LABELS,
            "RECEIPT_LABELS": RECEIPT_LABELS, "SESSION_STATUS_LABELS": SESSION_STATUS_LABELS,
            "MOVEMENT_LABELS": MOVEMENT_LABELS}


# ---- errors: French HTML pages for the UI (the API keeps problem+json) ----------------------

ERROR_TITLES = {400: "Requête invalide", 403: "Accès refusé", 404: "Page introuvable",
                405: "Méthode non permise", 409: "Action impossible dans l'état actuel",
                413: "Requête trop volumineuse", 422: "Données invalides",
                429: "Trop de tentatives", 500: "Erreur interne"}
ERROR_DETAILS = {413: "Le formulaire envoyé dépasse la taille permise : rien n'a été enregistré.",
                 429: "Trop de tentatives de connexion échouées pour cet identifiant ou depuis "
                      "ce poste : la connexion est suspendue."}


def error_page(status: int, detail: str = "", headers: dict | None = None):
    return render_template("ui/error.html", status=status,
                           title=ERROR_TITLES.get(status, "Erreur"), detail=detail), status, \
        headers or {}


@blp.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    db.session.rollback()
    return error_page(error.status, error.detail)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code == 429:
        return _too_many_attempts()
    detail = error.description if error.code in (400, 403) else ""
    return error_page(error.code or 500, detail)


def _too_many_attempts():
    """429 from the login throttling: when to try again, in French and in Retry-After (the
    limiter adds that header to the response)."""
    reset = security.limiter.current_limit.reset_at if security.limiter.current_limit else None
    # the limiter's reset is a real-time epoch, whatever the application's (manual) time
    wait = max(1, int(reset - clock().system_now().timestamp()) + 1) if reset else 60
    minutes = -(-wait // 60)
    detail = (f"{ERROR_DETAILS[429]} Nouvel essai possible dans {minutes} minute"
              f"{'s' if minutes > 1 else ''}.")
    return error_page(429, detail, headers={"Retry-After": str(wait)})


@blp.errorhandler(Exception)
def _unexpected(error: Exception):
    current_app.logger.exception("Erreur dans l'interface web", exc_info=error)
    db.session.rollback()
    return error_page(500)


def register_app_errors(app) -> None:
    """The routing errors under /ui (an unknown URL, a method the page does not take) and a
    body past the size limit (app-level handlers, which win over the blueprint's) get the
    French page; every other path keeps the API's handler."""
    from web.api.problems import from_http_exception

    def _routing_error(error):
        if not is_ui_path(request.path):
            return from_http_exception(error)
        allow = getattr(error, "valid_methods", None)  # 405: the methods the page takes
        return error_page(error.code, ERROR_DETAILS.get(error.code, ""),
                          headers={"Allow": ", ".join(allow)} if allow else None)

    for code in (404, 405, 413):
        app.register_error_handler(code, _routing_error)


# ---- login --------------------------------------------------------------------------------

@blp.route("/connexion", methods=["GET", "POST"])
@login_throttled
def login():
    error = None
    username = request.form.get("username", "")
    if request.method == "POST":
        user = users.check_password(username, request.form.get("password", ""))
        if user is not None and user.active:
            log_in(user)
            return redirect(safe_next(request.args.get("next"), home_url(user)))
        error = "Identifiant ou mot de passe incorrect."
    return render_template("ui/login.html", error=error, username=username), \
        (401 if error else 200)


@blp.route("/deconnexion", methods=["POST"])
def logout():
    log_out()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("ui.login"))


@blp.route("/")
@login_required()
def index():
    return redirect(home_url(current_user()))


@blp.route("/a-propos")
def about():
    """The legal switches in force (DOMAIN.md's CFG_*), readable without logging in."""
    rules = current_app.config["RULES"].as_dict()
    return render_template("ui/about.html", now=clock().now(), mode=clock().mode,
                           switches=[(s, rules[s.env]) for s in SWITCHES])


# ---- dashboard, tasklist, search ----------------------------------------------------------

@blp.route("/tableau-de-bord", endpoint="dashboard")
@login_required("agent")
def dashboard_view():
    user = current_user()
    today = clock().today()
    mine, mine_total = worklist.task_page(user, "mine", per_page=10)
    free, free_total = worklist.task_page(user, "unassigned", per_page=10)
    near, near_total = worklist.deadline_cases(today)
    late, late_total = worklist.late_attestations(today)
    chart = worklist.deadlines_per_week(today)
    return render_template("ui/dashboard.html", mine=mine, mine_total=mine_total, free=free,
                           free_total=free_total, near=near, near_total=near_total, late=late,
                           late_total=late_total, chart=chart)


@blp.route("/taches")
@login_required("agent")
def task_list():
    user = current_user()
    scope = request.args.get("filtre", "")
    key = request.args.get("tache", "")
    due = date_arg("echeance_avant")
    sort = request.args.get("tri", "echeance")
    page = int_arg("page")
    items, total = worklist.task_page(user, scope, key, due, sort, page, PER_PAGE)
    return render_template("ui/tasks.html", items=items, total=total, page=page,
                           pages=pages(total), scope=scope, key=key, due=due, sort=sort,
                           task_titles=_task_titles())


def _task_titles() -> dict[str, str]:
    from workflows.contract import TASK_TITLES
    return dict(TASK_TITLES)


@blp.route("/taches/<int:task_id>/prendre", methods=["POST"])
@login_required("agent")
def claim(task_id: int):
    return _claim_or_unclaim(tasks.claim, task_id,
                             "Tâche prise : elle figure dans « Mes tâches ».")


@blp.route("/taches/<int:task_id>/rendre", methods=["POST"])
@login_required("agent")
def unclaim(task_id: int):
    return _claim_or_unclaim(tasks.unclaim, task_id,
                             "Tâche rendue : elle est de nouveau non attribuée.")


def _claim_or_unclaim(command, task_id: int, done: str):
    """Back to the list the button was on; a clerk who lost the race (another took the task
    meanwhile, or finished it) is told there, as the case page does for a task's form."""
    try:
        with transaction():
            command(task_id, current_user())
    except Conflict as exc:
        flash(exc.detail, "error")
    else:
        flash(done, "success")
    return redirect(safe_next(request.form.get("next"), url_for("ui.task_list")))


@blp.route("/recherche")
@login_required("agent")
def search():
    """Cases by reference, licence number or name; licences by number or name."""
    q = request.args.get("q", "").strip()
    page = int_arg("page")
    found_licences, licence_total, items, total = [], 0, [], 0
    if q:
        items, total = cases.list_cases(None, None, q, False, page, PER_PAGE)
        found_licences, licence_total = licences.search(q, int_arg("permis"), PER_PAGE)
    return render_template("ui/search.html", q=q, items=items, total=total, page=page,
                           pages=pages(total), found_licences=found_licences,
                           licence_total=licence_total, licence_page=int_arg("permis"),
                           licence_pages=pages(licence_total))
