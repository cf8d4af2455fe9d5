"""A case's letters (issue 15 item 3): the list, and each PDF as a download. Clerks and admins
only, like the case itself (a centre or a designer gets 403)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services import cases, letters
from web.api.instants import Instant
from web.api.uploads import DOWNLOAD_HEADERS
from web.auth import require

blp = Blueprint("letters", __name__, url_prefix="/api/v1/cases",
                description="Courriers du dossier : PDF immuables, avec leur empreinte SHA-256")


class CaseLetterSchema(Schema):
    id = fields.Integer()
    template = fields.String(metadata={"description": "le modèle : courriers/<modèle>.html de "
                                                      "la version du processus du dossier"})
    title = fields.String()
    sha256 = fields.String(allow_none=True, metadata={
        "description": "SHA-256 du PDF, en hexadécimal ; null tant que le PDF n'est pas mis en "
                       "page (le texte du courrier est fixé par la commande qui l'a produit, sa "
                       "mise en page suit, ou se fait au premier téléchargement)"})
    pdf_ready = fields.Boolean(metadata={"description": "le PDF est mis en page (sha256 connu)"})
    layout_error = fields.String(allow_none=True, metadata={
        "description": "pourquoi la mise en page a été abandonnée (après ses essais par le "
                       "traitement des envois différés) ; le téléchargement répond alors 409 "
                       "sans la refaire, jusqu'à ce qu'un administrateur la relance ; null "
                       "sinon"})
    created_at = Instant()
    created_by = fields.String()


class CaseLetterListSchema(Schema):
    items = fields.List(fields.Nested(CaseLetterSchema))


@blp.route("/<int:case_id>/letters")
@require("agent")
@blp.response(200, CaseLetterListSchema)
def list_letters(case_id):
    """Les courriers du dossier, du plus ancien au plus récent"""
    cases.get(case_id)
    return {"items": letters.letters_of(case_id)}


@blp.route("/<int:case_id>/letters/<int:letter_id>")
@require("agent")
@blp.response(200, content_type="application/pdf")
@blp.doc(responses={"200": {"description": "Le PDF/A du courrier", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    "409": "CONFLICT"})
def get_letter(case_id, letter_id):
    """Un courrier du dossier, en PDF (téléchargement)

    Un courrier que le processus de fond n'a pas encore mis en page l'est d'abord ; 409 s'il ne
    peut pas l'être (modèle à corriger)."""
    cases.get(case_id)
    return pdf_response(letters.pdf_of(case_id, letter_id))


def pdf_response(letter) -> Response:
    """The stored PDF as a download that no browser runs (a PDF can hold scripts)."""
    response = Response(letter.pdf, mimetype="application/pdf", headers=DOWNLOAD_HEADERS)
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"courrier-{letter.id}-{letter.template_id}.pdf")
    response.headers["ETag"] = f'"{letter.sha256}"'
    return response
