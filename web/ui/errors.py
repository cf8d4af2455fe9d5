"""The UI's errors as French HTML pages (the API keeps problem+json)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from services.db import (
    DATABASE_RETRY_AFTER_SECONDS,
    first_line,
    rollback,
    unreachable,
)
from services.errors import ServiceError
from web import throttling
from web.ui.security import is_ui_path

ERROR_TITLES = {400: "Requête invalide", 403: "Accès refusé", 404: "Page introuvable",
                405: "Méthode non permise", 409: "Action impossible dans l'état actuel",
                413: "Requête trop volumineuse", 422: "Données invalides",
                429: "Trop de tentatives", 500: "Erreur interne",
                503: "Service momentanément indisponible"}
ERROR_DETAILS = {413: "Le formulaire envoyé dépasse la taille permise : rien n'a été enregistré.",
                 429: "Trop de tentatives de connexion échouées pour cet identifiant ou depuis "
                      "ce poste : la connexion est suspendue.",
                 503: "La base de données ne répond pas : rien n'a été enregistré. Réessayez "
                      "dans quelques minutes ; si cela dure, prévenez l'équipe technique."}


def error_page(status: int, detail: str = "", headers: dict | None = None):
    return render_template("ui/error.html", status=status,
                           title=ERROR_TITLES.get(status, "Erreur"), detail=detail), status, \
        headers or {}


def _service_error(error: ServiceError):
    rollback()
    return error_page(error.status, error.detail)


def _http_error(error: HTTPException):
    if error.response is not None:  # a throttle's own answer (web/throttling.py)
        return error.response
    if error.code == 429:
        return _too_many_attempts()
    detail = error.description if error.code in (400, 403) else ""
    return error_page(error.code or 500, detail)


def _too_many_attempts():
    """429 from the login throttling: when to try again, in French and in Retry-After."""
    wait = throttling.retry_after(throttling.limiter.current_limit)
    detail = f"{ERROR_DETAILS[429]} Nouvel essai possible dans {throttling.in_minutes(wait)}."
    return error_page(429, detail, headers={"Retry-After": str(wait)})


def _unexpected(error: Exception):
    if unreachable(error):
        return database_unavailable(error)
    current_app.logger.exception("Erreur dans l'interface web", exc_info=error)
    rollback()
    return error_page(500)


def database_unavailable(error: Exception):
    """The database is down or failed the work (a login included: the users live there): a
    French 503, not a 500. The page names nobody: who is logged in is the database's to say."""
    current_app.logger.warning("Base de données indisponible : %s", first_line(error))
    try:
        rollback()
    except Exception as exc:  # noqa: BLE001 - the connection is gone; nothing to undo
        if not unreachable(exc):
            raise
    request.environ["app.user"] = None
    return error_page(503, ERROR_DETAILS[503],
                      headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


def register(blp: Blueprint) -> None:
    blp.register_error_handler(ServiceError, _service_error)
    blp.register_error_handler(HTTPException, _http_error)
    blp.register_error_handler(Exception, _unexpected)


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
