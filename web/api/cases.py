from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from services import cases, replay
from services.reads import case_view
from web.api.schemas import (
    AttestationInSchema,
    CaseInSchema,
    CaseListArgs,
    CaseSchema,
    CaseSummarySchema,
    EnrollmentInSchema,
    EventSchema,
    PageArgs,
    ProposalDecisionInSchema,
    ProposalDismissInSchema,
    page_body,
    page_schema,
)
from web.auth import current_user, require

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="Dossiers : 48N, inscription, attestation, issue (R15–R22, R26, R45)")

CasePage = page_schema(CaseSummarySchema, "CasePage")
EventPage = page_schema(EventSchema, "EventPage")


@blp.route("", methods=["POST"])
@require("agent")
@blp.arguments(CaseInSchema)
@blp.response(201, CaseSchema)
def post_case(data):
    """Ouvrir un dossier (obligatoire depuis une 48N, ou volontaire)"""
    case_id = cases.create(data, current_user().username).id
    return cases.view(cases.get(case_id))


@blp.route("", methods=["GET"])
@require("agent")
@blp.arguments(CaseListArgs, location="query", unknown=RAISE)
@blp.response(200, CasePage)
def list_cases(args):
    """Rechercher des dossiers (référence, n° de permis, nom)"""
    items, total = cases.list_cases(args["status"], args["licence"], args["q"], args["overdue"],
                                    args["page"], args["per_page"])
    return page_body(items, total, args)


@blp.route("/<int:case_id>")
@require("agent")
@blp.response(200, CaseSchema)
def get_case(case_id):
    """Un dossier, ses tâches, ses minuteurs, ses signalements et son issue expliquée"""
    return cases.view(cases.get(case_id))


@blp.route("/<int:case_id>/enrollment", methods=["POST"])
@require("agent")  # a centre enrols by licence number: POST /sessions/{id}/enrollment
@blp.arguments(EnrollmentInSchema)
@blp.response(200, CaseSchema)
def post_enrollment(data, case_id):
    """Inscrire le dossier à une session"""
    cases.enroll(cases.get(case_id), data["session"], current_user())
    return cases.view(cases.get(case_id))


@blp.route("/<int:case_id>/attestation", methods=["POST"])
@require("agent")
@blp.arguments(AttestationInSchema)
@blp.response(200, CaseSchema)
def post_attestation(data, case_id):
    """La préfecture a reçu l'attestation (R38) ; délai d'un mois pour créditer (R39, D4)"""
    cases.receive_attestation(cases.get(case_id), data["received_on"],
                              current_user().username)
    return cases.view(cases.get(case_id))


@blp.route("/<int:case_id>/pending-change/accept", methods=["POST"])
@require("agent")
@blp.arguments(ProposalDecisionInSchema)
@blp.response(200, CaseSchema)
def accept_change(data, case_id):
    """Valider le changement de résultat proposé (rejeu des règles) : il s'applique"""
    replay.accept(case_id, current_user().username, data.get("proposal"))
    return cases.view(cases.get(case_id))


@blp.route("/<int:case_id>/pending-change/dismiss", methods=["POST"])
@require("agent")
@blp.arguments(ProposalDismissInSchema)
@blp.response(200, CaseSchema)
def dismiss_change(data, case_id):
    """Écarter le changement de résultat proposé, avec un motif : rien ne change"""
    replay.dismiss(case_id, current_user().username, data["motif"], data.get("proposal"))
    return cases.view(cases.get(case_id))


@blp.route("/<int:case_id>/events")
@require("agent")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, EventPage)
def list_events(args, case_id):
    """L'historique du dossier, du plus ancien au plus récent"""
    cases.get(case_id)
    items, total = case_view.history_page(case_id, args["page"], args["per_page"])
    return page_body(items, total, args)
