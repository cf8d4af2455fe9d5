"""Domain errors raised by services; the web layer maps each to one HTTP status (problem+json)."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    title = "Requête invalide"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.headers = headers or {}  # HTTP headers of the answer (Retry-After)


class NotFound(ServiceError):
    status = 404
    title = "Ressource introuvable"


class Forbidden(ServiceError):
    status = 403
    title = "Accès refusé"


class Conflict(ServiceError):
    status = 409
    title = "Conflit avec l'état actuel"


class TooManyRequests(ServiceError):
    """429: a bounded resource (the scenario test queue) is full; come back later."""

    status = 429
    title = "Trop de demandes"


class Invalid(ServiceError):
    """422: the input is well-formed but breaks a rule; `errors` names the fields."""

    status = 422
    title = "Données invalides"

    @classmethod
    def field(cls, path: str, message: str, detail: str | None = None) -> Invalid:
        return cls(detail or message, {path: [message]})
