"""Bearer-token authentication and role checks for the REST API.

The browser UI may also call the API with its session cookie; such a call that changes state
must then carry the session's CSRF token in an `X-CSRF-Token` header (a bearer token cannot be
sent by another site, a cookie can). The cookie carries only the id of a server-side login session
(services/users.py): a session that was ended (logout, deactivation, new password or role) or has
lapsed authenticates nobody, on the API as on the pages."""

from __future__ import annotations

import hmac
from functools import wraps

from flask import request, session

from services import users
from services.errors import Forbidden, ServiceError

CSRF_SESSION_KEY = "csrf_token"  # the session's CSRF token (also the UI forms' field name)
SESSION_ID_KEY = "sid"  # the server-side login session's id (services.users.open_session)
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Unauthorized(ServiceError):
    status = 401
    title = "Authentification requise"


class CsrfRefused(ServiceError):
    status = 400
    title = "Jeton CSRF absent ou invalide"


def current_user():
    """The caller of this request (cached on the request, never on the app context)."""
    if "app.user" in request.environ:
        return request.environ["app.user"]
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = users.user_for_token(header[len("Bearer "):].strip())
    elif session.get(SESSION_ID_KEY):
        user = _session_user(session[SESSION_ID_KEY])
        request.environ["app.by_session"] = user is not None
    request.environ["app.user"] = user
    return user


def _session_user(session_id: object):
    if not isinstance(session_id, str):
        return None
    user, stale = users.user_for_session(session_id)
    if user is None:
        session.pop(SESSION_ID_KEY, None)  # ended or lapsed: the cookie forgets it
        request.environ["app.session_ended"] = True
    elif stale:
        users.restart_idle_timer(session_id)  # at most once a minute
    return user


def check_session_csrf() -> None:
    """A state-changing API call authenticated by the session cookie needs the session's token
    in the X-CSRF-Token header; bearer-token calls are unaffected."""
    if request.method in SAFE_METHODS or not request.environ.get("app.by_session"):
        return
    sent = request.headers.get(CSRF_HEADER, "")
    expected = session.get(CSRF_SESSION_KEY, "")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfRefused(f"Jeton CSRF absent ou invalide : une requête authentifiée par la "
                          f"session doit porter l'en-tête {CSRF_HEADER} de la page ; rechargez "
                          "la page et recommencez.")


def require(*roles: str):
    """Allow the listed roles (admin is always allowed)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None and request.environ.get("app.session_ended"):
                raise Unauthorized("La session a pris fin (déconnexion, inactivité, durée "
                                   "maximale atteinte ou compte modifié) : reconnectez-vous.")
            if user is None:
                raise Unauthorized("Jeton d'accès absent ou invalide "
                                   "(en-tête Authorization: Bearer <jeton>).")
            check_session_csrf()
            if user.role != "admin" and user.role not in roles:
                raise Forbidden(f"Le rôle « {user.role} » ne permet pas cette action.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
