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


def raise_all(problems: list[tuple[str, str]]) -> None:
    """One 422 naming every field in `problems` (each with all its messages), if any: a
    submission is told all of its errors at once (services/rules/facts.py)."""
    if not problems:
        return
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(message)
    detail = problems[0][1] if len(problems) == 1 else (
        f"{len(problems)} erreurs : " + sentences(m for _f, m in problems))
    raise Invalid(detail, errors)


def sentences(messages) -> str:
    """Several messages told as one text (a problem's `detail`, an explanation): each ends with
    its full stop and one space follows it, so that they never run together (a QA finding:
    « …(20/12/2026 puis 19/12/2026) R31 : … »). Empty messages are left out."""
    out = []
    for message in messages:
        text = str(message).strip()
        if text:
            out.append(text if text.endswith((".", "!", "?", "…")) else text + ".")
    return " ".join(out)
