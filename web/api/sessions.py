from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from services import cases, centre_access, centres, sessions
from web.api.problems import problem
from web.api.schemas import (
    AttendanceSchema,
    CancelSchema,
    CentreEventSchema,
    CentrePatchSchema,
    CentreSchema,
    PageArgs,
    SessionEnrollmentInSchema,
    SessionInSchema,
    SessionListArgs,
    SessionSchema,
    UnenrolmentSchema,
    page_body,
    page_schema,
)
from web.auth import current_user, require
from web.throttling import enrolment_refusals_throttled

centres_blp = Blueprint("centres", __name__, url_prefix="/api/v1/centres",
                        description="Centres agréés (R23)")
blp = Blueprint("sessions", __name__, url_prefix="/api/v1/sessions",
                description="Sessions de stage, annulation et présence (R31–R36)")

SessionPage = page_schema(SessionSchema, "SessionPage")
CentrePage = page_schema(CentreSchema, "CentrePage")


@centres_blp.route("", methods=["POST"])
@require("agent")
@centres_blp.arguments(CentreSchema)
@centres_blp.response(201, CentreSchema)
def post_centre(data):
    """Enregistrer un centre agréé"""
    return centres.create(data, current_user().username)


@centres_blp.route("", methods=["GET"])
@require("agent", "centre")
@centres_blp.arguments(PageArgs, location="query", unknown=RAISE)
@centres_blp.response(200, CentrePage)
def list_centres(args):
    """Les centres agréés, par nom (un centre ne voit que le sien)"""
    items, total = centres.list_page(current_user(), args["page"], args["per_page"])
    return page_body(items, total, args)


@centres_blp.route("/<agrement>")
@require("agent", "centre")
@centres_blp.response(200, CentreSchema)
def get_centre(agrement):
    """Un centre agréé"""
    return centre_access.centre_for(current_user(), agrement)


@centres_blp.route("/<agrement>", methods=["PATCH"])
@require("agent")
@centres_blp.arguments(CentrePatchSchema)
@centres_blp.response(200, CentreSchema)
def patch_centre(data, agrement):
    """Modifier un centre agréé : nom, département, fin de validité de l'agrément (R23, pas
    avant le second jour d'une session prévue), adresse électronique (null l'efface)"""
    return centres.update(agrement, data, current_user().username)


@centres_blp.route("/<agrement>/history")
@require("agent")
@centres_blp.response(200, CentreEventSchema(many=True))
def centre_history(agrement):
    """L'historique des modifications d'un centre, la plus récente d'abord"""
    return centres.history(centre_access.centre_for(current_user(), agrement))


@blp.route("", methods=["POST"])
@require("agent", "centre")
@blp.arguments(SessionInSchema)
@blp.response(201, SessionSchema)
def post_session(data):
    """Déclarer une session (jours consécutifs, ni dimanche ni jour férié : D12, R31)"""
    session = sessions.create(data, current_user())
    session_id = session.id
    return sessions.view(sessions.get(session_id, *sessions.VIEW_LOAD))


@blp.route("", methods=["GET"])
@require("agent", "centre")
@blp.arguments(SessionListArgs, location="query", unknown=RAISE)
@blp.response(200, SessionPage)
def list_sessions(args):
    """Sessions dont le premier jour est dans [from, to] (un centre ne voit que les siennes)"""
    items, total = sessions.list_session_views(current_user(), args["centre"], args["from_"],
                                               args["to"], args["page"], args["per_page"])
    return page_body(items, total, args)


@blp.route("/<int:session_id>")
@require("agent", "centre")
@blp.response(200, SessionSchema)
def get_session(session_id):
    """Une session, ses inscrits et ses signalements"""
    return sessions.view(centre_access.session_for(current_user(), session_id,
                                                     *sessions.VIEW_LOAD))


@blp.route("/<int:session_id>/cancel", methods=["POST"])
@require("agent", "centre")
@blp.arguments(CancelSchema)
@blp.response(200, SessionSchema)
def cancel_session(data, session_id):
    """Annuler une session : les dossiers inscrits reviennent en attente d'inscription (R36)"""
    user = current_user()
    sessions.cancel(centre_access.session_for(user, session_id), data, user)
    return sessions.view(sessions.get(session_id, *sessions.VIEW_LOAD))


@blp.route("/<int:session_id>/enrollments/<int:case_id>/cancel", methods=["POST"])
@require("agent", "centre")
@blp.arguments(UnenrolmentSchema)
@blp.response(200, SessionSchema)
def cancel_enrollment(data, session_id, case_id):
    """Désinscrire un stagiaire d'une session qui n'a pas commencé (premier jour après
    aujourd'hui) : sa place est libérée et son dossier revient en attente d'inscription, sans
    changer l'échéance (LD16, R36). 404 quand le dossier n'est pas inscrit à la session ; 409
    quand la session est annulée, tenue ou commencée, ou l'inscription déjà annulée."""
    user = current_user()
    sessions.unenrol(centre_access.session_for(user, session_id), case_id, data["reason"], user)
    return sessions.view(sessions.get(session_id, *sessions.VIEW_LOAD))


@blp.route("/<int:session_id>/attendance", methods=["POST"])
@require("agent", "centre")
@blp.arguments(AttendanceSchema)
@blp.response(200, SessionSchema)
def post_attendance(data, session_id):
    """Enregistrer la présence des deux journées (R32, R34)"""
    user = current_user()
    sessions.record_attendance(centre_access.session_for(user, session_id), data["records"],
                               user)
    return sessions.view(sessions.get(session_id, *sessions.VIEW_LOAD))


def _enrolments_suspended(detail: str, wait: int):
    return problem(429, detail, headers={"Retry-After": str(wait)})


@blp.route("/<int:session_id>/enrollment", methods=["POST"])
@require("agent", "centre")
@enrolment_refusals_throttled(_enrolments_suspended)
@blp.arguments(SessionEnrollmentInSchema)
@blp.response(200, SessionSchema)
def post_session_enrollment(data, session_id):
    """Inscrire à la session le dossier en attente d'un n° de permis (ce que fait un centre).
    422 identique pour un permis inconnu et un permis sans dossier en attente ; au-delà de
    ENROLMENT_REFUSALS_PER_CENTRE refus pour un même centre, 429 jusqu'à la fin de la fenêtre."""
    user = current_user()
    cases.enroll_licence(centre_access.session_for(user, session_id), data["licence"], user)
    return sessions.view(sessions.get(session_id, *sessions.VIEW_LOAD))
