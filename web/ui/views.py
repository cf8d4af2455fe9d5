"""The pages of the browser UI. Every command goes through the same services and the same
transaction as the REST API; the pages only read, shape and render."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from services import cases, dashboard, licences, sessions, tasks, users
from services.clock import PARIS, clock
from services.db import db, transaction
from services.errors import Conflict, Invalid, ServiceError
from services.models import HumanTask
from web.api.auth import current_user
from web.ui import forms
from web.ui.security import check_csrf, log_in, log_out, login_required, safe_next

blp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates",
                static_folder="static", static_url_path="/static")
blp.before_request(check_csrf)

PER_PAGE = 20
STATUS_LABELS = {
    "nouveau": "Nouveau", "en_attente_inscription": "En attente d'inscription",
    "en_attente_resultat": "En attente du résultat du stage",
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
ATTENDANCE = (("present", "Présent"), ("absent", "Absent"), ("late", "En retard"))
OBLIGATION_LABELS = {"pending": "En attente", "met": "Satisfaite", "not_met": "Non satisfaite",
                     "manual_review": "Examen manuel"}


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
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(_fvalue(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_fvalue(v)}" for k, v in value.items() if v is not None)
    return str(value)


@blp.context_processor
def _labels():
    return {"STATUS_LABELS": STATUS_LABELS, "EVENT_LABELS": EVENT_LABELS,
            "OBLIGATION_LABELS": OBLIGATION_LABELS, "today": clock().today(),
            "page_url": _page_url}


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


def _date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _pages(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


# ---- errors: French HTML pages for the UI (the API keeps problem+json) ----------------------

ERROR_TITLES = {400: "Requête invalide", 403: "Accès refusé", 404: "Page introuvable",
                405: "Méthode non permise", 409: "Action impossible dans l'état actuel",
                422: "Données invalides", 500: "Erreur interne"}


def error_page(status: int, detail: str = ""):
    return render_template("ui/error.html", status=status,
                           title=ERROR_TITLES.get(status, "Erreur"), detail=detail), status


@blp.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    db.session.rollback()
    return error_page(error.status, error.detail)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    detail = error.description if error.code in (400, 403) else ""
    return error_page(error.code or 500, detail)


@blp.errorhandler(Exception)
def _unexpected(error: Exception):
    current_app.logger.exception("Erreur dans l'interface web", exc_info=error)
    db.session.rollback()
    return error_page(500)


def register_app_errors(app) -> None:
    """Unknown URLs under /ui get the French page; every other path keeps the API's handler."""
    from web.api.problems import from_http_exception

    @app.errorhandler(404)
    def _not_found(error):
        if request.path.startswith("/ui/") or request.path == "/ui":
            return error_page(404)
        return from_http_exception(error)


# ---- login --------------------------------------------------------------------------------

@blp.route("/connexion", methods=["GET", "POST"])
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


def home_url(user) -> str:
    """Where a role lands: centres on their sessions, designers on the process versions."""
    return url_for({"centre": "ui.session_list", "designer": "ui.processus_versions"}
                   .get(user.role, "ui.dashboard"))


# ---- dashboard, tasklist, search ----------------------------------------------------------

@blp.route("/tableau-de-bord", endpoint="dashboard")
@login_required("agent")
def dashboard_view():
    user = current_user()
    today = clock().today()
    mine, mine_total = dashboard.task_page(user, "mine", per_page=10)
    free, free_total = dashboard.task_page(user, "unassigned", per_page=10)
    near, near_total = dashboard.deadline_cases(today)
    late, late_total = dashboard.late_attestations(today)
    chart = dashboard.deadlines_per_week(today)
    return render_template("ui/dashboard.html", mine=mine, mine_total=mine_total, free=free,
                           free_total=free_total, near=near, near_total=near_total, late=late,
                           late_total=late_total, chart=chart)


@blp.route("/taches")
@login_required("agent")
def task_list():
    user = current_user()
    scope = request.args.get("filtre", "")
    key = request.args.get("tache", "")
    due = _date_arg("echeance_avant")
    sort = request.args.get("tri", "echeance")
    page = _int_arg("page")
    items, total = dashboard.task_page(user, scope, key, due, sort, page, PER_PAGE)
    return render_template("ui/tasks.html", items=items, total=total, page=page,
                           pages=_pages(total), scope=scope, key=key, due=due, sort=sort,
                           task_titles=_task_titles())


def _task_titles() -> dict[str, str]:
    from workflows.contract import TASK_TITLES
    return dict(TASK_TITLES)


@blp.route("/taches/<int:task_id>/prendre", methods=["POST"])
@login_required("agent")
def claim(task_id: int):
    with transaction():
        tasks.claim(task_id, current_user())
    flash("Tâche prise : elle figure dans « Mes tâches ».", "success")
    return redirect(safe_next(request.form.get("next"), url_for("ui.task_list")))


@blp.route("/taches/<int:task_id>/rendre", methods=["POST"])
@login_required("agent")
def unclaim(task_id: int):
    with transaction():
        tasks.unclaim(task_id, current_user())
    flash("Tâche rendue : elle est de nouveau non attribuée.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("ui.task_list")))


@blp.route("/recherche")
@login_required("agent")
def search():
    q = request.args.get("q", "").strip()
    page = _int_arg("page")
    items, total = ([], 0)
    if q:
        items, total = cases.list_cases(None, None, q, False, page, PER_PAGE)
    return render_template("ui/search.html", q=q, items=items, total=total, page=page,
                           pages=_pages(total))


# ---- the case page ------------------------------------------------------------------------

@blp.route("/dossiers/<int:case_id>")
@login_required("agent")
def case_page(case_id: int):
    return _render_case(case_id)


def _render_case(case_id: int, form_task: int | str | None = None, values: dict | None = None,
                 errors: dict | None = None, status: int = 200):
    case = cases.get(case_id)
    today = clock().today()
    view = cases.view(case)
    open_tasks = db.session.scalars(select(HumanTask).where(
        HumanTask.case_id == case.id, HumanTask.state == "open").order_by(HumanTask.id)).all()
    task_forms = [{"task": t, "fields": forms.fields(t.key),
                   "values": values if t.id == form_task else {},
                   "errors": errors if t.id == form_task else {}} for t in open_tasks]
    ledger = licences.view(case.licence)
    series = dashboard.balance_series(case.licence, today)
    diagram = dashboard.diagram_state(case)
    days_left = (case.deadline - today).days if case.deadline else None
    action = {"form": form_task if isinstance(form_task, str) else None,
              "values": values or {}, "errors": errors or {}}
    open_sessions = (dashboard.open_sessions(today)
                     if case.status == "en_attente_inscription" else [])
    return render_template("ui/case.html", case=case, view=view, task_forms=task_forms,
                           ledger=ledger, series=series, diagram=diagram, days_left=days_left,
                           history=dashboard.history(case), action=action,
                           open_sessions=open_sessions), status


@blp.route("/dossiers/<int:case_id>/diagramme.bpmn")
@login_required("agent")
def case_diagram(case_id: int):
    case = cases.get(case_id)
    if case.instance is None:
        abort(404)
    return current_app.response_class(case.instance.version.xml,
                                      mimetype="application/xml")


@blp.route("/dossiers/<int:case_id>/taches/<int:task_id>", methods=["POST"])
@login_required("agent")
def complete_task(case_id: int, task_id: int):
    task = tasks.get(task_id)
    if task.case_id != case_id:
        abort(404)
    data = forms.data_from(task.key, request.form)
    try:
        with transaction():
            tasks.complete(task_id, data, current_user())
    except Invalid as exc:
        return _render_case(case_id, task_id, dict(request.form),
                            forms.field_errors(exc.errors), 422)
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("ui.case_page", case_id=case_id))
    flash(f"« {task.title} » : tâche terminée.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


@blp.route("/dossiers/<int:case_id>/inscription", methods=["POST"])
@login_required("agent")
def enroll(case_id: int):
    raw = request.form.get("session", "")
    if not raw.isdigit():
        return _render_case(case_id, "inscription", dict(request.form),
                            {"session": ["Choisissez une session."]}, 422)
    try:
        with transaction():
            cases.enroll(cases.get(case_id), int(raw), current_user())
    except Invalid as exc:
        return _render_case(case_id, "inscription", dict(request.form), exc.errors, 422)
    except Conflict as exc:
        return _render_case(case_id, "inscription", dict(request.form),
                            {"session": [exc.detail]}, 409)
    flash("Dossier inscrit à la session.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


@blp.route("/dossiers/<int:case_id>/attestation", methods=["POST"])
@login_required("agent")
def receive_attestation(case_id: int):
    try:
        received_on = dt.date.fromisoformat(request.form.get("received_on", ""))
    except ValueError:
        return _render_case(case_id, "attestation", dict(request.form),
                            {"received_on": ["Indiquez une date valide (jj/mm/aaaa)."]}, 422)
    try:
        with transaction():
            cases.receive_attestation(cases.get(case_id), received_on, current_user().username)
    except Invalid as exc:
        return _render_case(case_id, "attestation", dict(request.form), exc.errors, 422)
    except Conflict as exc:
        return _render_case(case_id, "attestation", dict(request.form),
                            {"received_on": [exc.detail]}, 409)
    flash("Réception de l'attestation enregistrée : la vérification est à faire.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


# ---- course sessions (centres and clerks) ---------------------------------------------------

@blp.route("/sessions")
@login_required("agent", "centre")
def session_list():
    page = _int_arg("page")
    items, total = sessions.list_sessions(current_user(), None, None, None, page, PER_PAGE)
    return render_template("ui/sessions.html", items=items, total=total, page=page,
                           pages=_pages(total))


@blp.route("/sessions/<int:session_id>")
@login_required("agent", "centre")
def session_page(session_id: int):
    return _render_session(session_id)


def _render_session(session_id: int, values: dict | None = None, errors: dict | None = None,
                    message: str | None = None, status: int = 200):
    session = sessions.get(session_id)
    sessions.check_centre_access(current_user(), session.centre_id)
    enrolled = sessions.active_enrollments(session)
    can_record = (session.status == "planned" and enrolled
                  and clock().today() >= session.day2)
    return render_template("ui/session.html", session=session, view=sessions.view(session),
                           enrolled=enrolled, can_record=can_record, values=values or {},
                           errors=errors or {}, message=message, attendance=ATTENDANCE), status


@blp.route("/sessions/<int:session_id>/presence", methods=["POST"])
@login_required("agent", "centre")
def record_attendance(session_id: int):
    session = sessions.get(session_id)
    sessions.check_centre_access(current_user(), session.centre_id)
    enrolled = sessions.active_enrollments(session)
    records, errors = [], {}
    allowed = {v for v, _ in ATTENDANCE}
    for enr in enrolled:
        rec = {"licence": enr.case.licence.number}
        for day in ("day1", "day2"):
            value = request.form.get(f"{day}-{enr.id}", "")
            if value not in allowed:
                errors[f"{day}-{enr.id}"] = ["Indiquez présent, absent ou en retard."]
            rec[day] = value
        records.append(rec)
    if errors:
        return _render_session(session_id, dict(request.form), errors,
                               "La feuille de présence est incomplète.", 422)
    try:
        with transaction():
            sessions.record_attendance(sessions.get(session_id), records, current_user())
    except (Invalid, Conflict) as exc:
        return _render_session(session_id, dict(request.form), {}, exc.detail, exc.status)
    flash("Présence enregistrée : les attestations des stagiaires présents les deux jours "
          "sont délivrées.", "success")
    return redirect(url_for("ui.session_page", session_id=session_id))
