"""The process's rate limiter (Flask-Limiter) and the throttles that use it beside the login
form's (web/ui/security.py): a centre's refused enrolments by licence number.

A centre enrols a trainee by typing a licence number; a refusal (422 on `licence`) says only
that no case of that number waits for a course, but a centre typing numbers at random would
still learn which licences have one. Its refused enrolments are therefore counted per centre
(every user of the centre together) and, past ENROLMENT_REFUSALS_PER_CENTRE, its enrolments by
licence number are suspended (429 with Retry-After, in French) until the window ends; the
prefecture's clerks are never throttled. The counters live where the login's do
(RATELIMIT_STORAGE_URI): by default the application's database, shared by every web process
(services/rate_counters.py, the `database://` storage)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from flask import Response, current_app
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

from services import (
    centre_access,
    rate_counters,  # noqa: F401 - registers the database:// storage
)
from services.clock import clock
from web.auth import current_user

log = logging.getLogger(__name__)

# one limiter for the process's applications; its storage is set by each init_app
# (RATELIMIT_STORAGE_URI; database:// is registered by importing services.rate_counters)
limiter = Limiter(key_func=get_remote_address)

ENROLMENT_SCOPE = "enrolment_refusals"


def retry_after(limit: RequestLimit | None, default: int = 60) -> int:
    """Seconds until the limit's window ends, rounded up (the window's end is a real-time
    epoch, whatever the application's manual clock says): at most the window's length. One
    read of the counters, the window's end: the limit's `reset_at` would read its count too."""
    if limit is None:
        return default
    ends = limit.limiter.storage.get_expiry(limit.key)
    return max(1, math.ceil(ends - clock().system_now().timestamp()))


def in_minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _centre_key() -> str:
    return f"centre:{current_user().centre_id}"


def _not_a_centre() -> bool:
    user = current_user()
    return user is None or not centre_access.is_centre(user)


def _refused(response: Response) -> bool:
    return response.status_code == 422


def enrolment_refusals_throttled(answer: Callable[[str, int], Response]):
    """The enrolment-by-licence view of a centre: its refusals counted per centre; past the
    limit, `answer(detail, retry_after_seconds)` is the response (problem+json on the API, the
    session's page on the UI)."""

    def on_breach(limit: RequestLimit) -> Response:
        wait = retry_after(limit)
        log.warning("enrolments by licence suspended for %s (%s refused)", limit.key,
                    limit.limit.amount)
        return answer(f"Trop d'inscriptions refusées pour votre centre : l'inscription par "
                      f"numéro de permis est suspendue. Nouvel essai possible dans "
                      f"{in_minutes(wait)} ; la préfecture peut inscrire le stagiaire entre-temps.",
                      wait)

    def decorator(view):
        # shared: the API's and the page's enrolments spend one count per centre
        return limiter.shared_limit(lambda: current_app.config["ENROLMENT_REFUSALS_PER_CENTRE"],
                                    scope=ENROLMENT_SCOPE, key_func=_centre_key,
                                    methods=["POST"], exempt_when=_not_a_centre,
                                    deduct_when=_refused, on_breach=on_breach)(view)

    return decorator
