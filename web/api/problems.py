"""problem+json for every error: French detail, flat dotted `errors`; never a 500 page."""

from __future__ import annotations

import logging

from flask import Response, json
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from services.db import DATABASE_RETRY_AFTER_SECONDS, first_line, unreachable
from services.errors import ServiceError

log = logging.getLogger(__name__)

TITLES = {
    400: ("Requête mal formée", "Le corps de la requête n'est pas un JSON valide."),
    401: ("Authentification requise", "Jeton d'accès absent ou invalide."),
    403: ("Accès refusé", "Votre rôle ne permet pas cette action."),
    404: ("Ressource introuvable", "Aucune ressource à cette adresse."),
    405: ("Méthode non permise", "Cette méthode n'est pas permise sur cette ressource."),
    409: ("Conflit avec l'état actuel", "L'état actuel ne permet pas cette action."),
    413: ("Requête trop volumineuse", "Le corps de la requête dépasse la taille permise."),
    415: ("Type de contenu non pris en charge", "Envoyez du JSON (application/json)."),
    422: ("Données invalides", "Certaines données sont invalides."),
    429: ("Trop de demandes", "Trop de demandes : réessayez plus tard."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite ; rien n'a été enregistré."),
    503: ("Service momentanément indisponible",
          "La base de données ne répond pas : rien n'a été enregistré. Réessayez dans quelques "
          "minutes."),
}


def problem(status: int, detail: str | None = None, errors: dict | None = None,
            title: str | None = None, headers: dict | None = None,
            extra: dict | None = None) -> Response:
    default_title, default_detail = TITLES.get(status, ("Erreur", "Erreur."))
    body = {"type": "about:blank", "title": title or default_title, "status": status,
            "detail": detail or default_detail}
    if errors:
        body["errors"] = errors
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """{"a": {"b": ["x"]}, "r": {0: {"d": ["y"]}}} → {"a.b": ["x"], "r.0.d": ["y"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = str(key) if not prefix else f"{prefix}.{key}"
            if key == "_schema":
                path = prefix or "_schema"
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def from_http_exception(error: HTTPException) -> Response:
    if error.response is not None:  # a throttle's own problem+json (web/throttling.py)
        return error.response
    data = getattr(error, "data", None) or {}
    code = error.code or 500
    messages = data.get("messages") or data.get("errors")
    if code == 422 and messages:
        # webargs nests by location ({"json": {...}}); the contract wants the field paths only.
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "path", "form",
                                                            "files", "headers"}:
            merged: dict = {}
            for value in messages.values():
                merged.update(flatten(value))
            errors = merged
        else:
            errors = flatten(messages)
        fields_ = ", ".join(sorted(errors))
        return problem(422, f"Données invalides : {fields_}.", errors)
    if code == 400:
        return problem(400, data.get("message") or TITLES[400][1])
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:  # RFC 9110: 405 has Allow
        headers.setdefault("Allow", ", ".join(sorted(error.valid_methods)))
    return problem(code, data.get("message"), headers=headers)


def from_service_error(error: ServiceError) -> Response:
    detail = error.detail
    if hasattr(error, "detail_for"):  # an incident: its error for designers and admins only
        from web.auth import current_user
        user = current_user()
        detail = error.detail_for(user.role if user is not None else None)
    return problem(error.status, detail, error.errors or None, title=error.title,
                   headers=getattr(error, "headers", None),
                   extra=getattr(error, "extra", None))


def from_unexpected(error: Exception) -> Response:
    if unreachable(error):  # the database is down or failed the work: 503, not a 500
        log.warning("database unavailable: %s", first_line(error))
        return problem(503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})
    log.exception("unexpected error", exc_info=error)
    return problem(500)
