"""What the OpenAPI document says beyond the marshmallow schemas: the error answers
(application/problem+json, the statuses each operation can return, with Retry-After where the
client is told when to come back), that query parameters other than the declared ones are
refused, the bearer scheme, and numbers written as numbers."""

from __future__ import annotations

import decimal
import http

from apispec import BasePlugin
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields

from services.db import DATABASE_RETRY_AFTER_SECONDS

PROBLEM_JSON = "application/problem+json"


class ProblemDetailsSchema(Schema):
    """Documentation only: web.api.problems writes these answers."""

    type = fields.String(metadata={"description": "toujours « about:blank »"})
    title = fields.String(metadata={"description": "l'intitulé du statut, en français"})
    status = fields.Integer(metadata={"description": "le statut HTTP"})
    detail = fields.String(metadata={"description": "une phrase en français (avec l'identifiant "
                                                    "de la règle quand un refus vient d'une "
                                                    "règle)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "une entrée par champ refusé, par chemin pointé "
                       "(« records.0.day1 ») : ses messages en français"})

    class Meta:
        ordered = True


# Why each status may answer (the text of its response in the document).
WHY = {
    400: "Requête mal formée : corps qui n'est pas du JSON (ou imbriqué sur plus de 32 niveaux, "
         "ou nombre de plus de 4 300 chiffres), caractère nul, jeton CSRF absent pour une "
         "requête authentifiée par la session.",
    401: "Jeton d'accès absent ou invalide.",
    403: "Le rôle (ou le centre) de l'appelant ne permet pas cette action.",
    404: "Aucune ressource à cette adresse (identifiant inconnu).",
    409: "L'état actuel ne permet pas cette action (déjà fait, état du dossier ou de la session, "
         "modification concurrente).",
    413: "Corps trop volumineux : plus de 1 Mio de JSON, plus de 5 Mio de BPMN (envoi découpé "
         "« chunked » compris).",
    422: "Données invalides : `errors` nomme chaque champ refusé.",
    429: "Trop de demandes : file des tests de scénarios pleine, ou trop d'inscriptions par "
         "numéro de permis refusées pour le centre appelant ; réessayez après le délai de "
         "l'en-tête Retry-After.",
    503: "La base de données ne répond pas (serveur injoignable, délai d'attente d'un verrou "
         "dépassé) : rien n'a été enregistré ; réessayez après le délai de l'en-tête "
         f"Retry-After ({DATABASE_RETRY_AFTER_SECONDS} secondes).",
}
QUERY_422 = (" Un paramètre de requête autre que ceux déclarés est refusé (422, nommé dans "
             "`errors`).")
RETRY_AFTER = {"description": "secondes à attendre avant de réessayer", "required": True,
               "schema": {"type": "integer", "minimum": 1}}
RETRY_STATUSES = (429, 503)  # their answers always say when to come back
CHANGES = ("post", "put", "patch", "delete")
# the POSTs that may answer 429: the scenario runs' queue, a centre's enrolments by licence
# (web/throttling.py)
THROTTLED = ("/test-runs", "/sessions/{session_id}/enrollment")


def statuses(path: str, method: str, operation: dict) -> list[int]:
    """The error statuses an operation can answer: every one needs a token (401), has a role
    check (403), refuses a malformed request (400) and reads its caller from the database (the
    token's or the session's user, web/auth.py), so answers 503 when the database does not
    (web/api/problems.from_unexpected); the others follow from its path parameters, its body,
    its query parameters and what it changes. A change without a body (a task's claim, a
    timers' run...) ignores what is sent with it: no 422."""
    out = [400, 401, 403]
    if "{" in path:
        out.append(404)
    if method in CHANGES:
        out += [409, 413]
    if "requestBody" in operation or takes_query(operation):
        out.append(422)
    if method == "post" and path.endswith(THROTTLED):
        out.append(429)
    out.append(503)
    return out


def takes_query(operation: dict) -> bool:
    return any(p.get("in") == "query" for p in operation.get("parameters", []))


class ErrorResponsesPlugin(BasePlugin):
    """Adds every error answer of an operation, as a problem+json response of components."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status in statuses(path or "", method, operation):
                responses[str(status)] = http.HTTPStatus(status).name
            if takes_query(operation):
                operation["x-unknown-query-parameters"] = "refused"
                operation["description"] = (operation.get("description") or "") + QUERY_422


def register_problem_responses(api) -> None:
    """Replaces flask-smorest's error responses (application/json, its own error schema) by
    problem+json ones, one per status, with the French reason for it."""
    spec = api.spec
    for status in http.HTTPStatus:
        if status < 400:
            continue
        response = {"description": WHY.get(status.value, status.phrase),
                    "schema": ProblemDetailsSchema}
        if status.value in RETRY_STATUSES:
            response["headers"] = {"Retry-After": RETRY_AFTER}
        if status.value == 405:
            response["headers"] = {"Allow": {"description": "les méthodes permises",
                                             "schema": {"type": "string"}}}
        prepare_response(response, spec, PROBLEM_JSON)
        spec.components.response(status.name, response, lazy=True)
    response = {"description": "Toute autre erreur (500 : rien n'a été enregistré).",
                "schema": ProblemDetailsSchema}
    prepare_response(response, spec, PROBLEM_JSON)
    spec.components.response(api.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def decimal_bounds_as_numbers(self, field, ret, **kwargs) -> dict:
    """A Decimal field's minimum and maximum as JSON numbers (they were serialised as the
    string "100000.00")."""
    out = {}
    for key in ("minimum", "maximum"):
        value = ret.get(key)
        if isinstance(value, (decimal.Decimal, str)):
            number = decimal.Decimal(value)
            out[key] = int(number) if number == number.to_integral_value() else float(number)
    return out
