"""Browser sessions: login state, role checks, the per-session CSRF token of every form, and
the login form's throttling.

CSRF is the synchronizer-token pattern: a random token per session, in the signed cookie, sent
back by every form (field `csrf_token`) and by the pages' API calls (header `X-CSRF-Token`),
compared in constant time; a new session (login) gets a new token.

Login throttling (Flask-Limiter): failed attempts are counted per username and per client
address (LOGIN_LIMIT_PER_USERNAME, LOGIN_LIMIT_PER_ADDRESS); past either, the form answers 429
with Retry-After and a French page, even for the right password. A successful login counts
nothing. The counters live in the application's database, shared by every web process
(services/rate_counters.py), unless RATELIMIT_STORAGE_URI names another store (Redis...): a
login reads the two counts before the form is checked, a failed one then adds one to each
(no X-RateLimit-* headers, which would read them again: RATELIMIT_HEADERS_ENABLED)."""

from __future__ import annotations

import hmac
import re
import secrets
from functools import wraps
from urllib.parse import quote

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError

from services import users
from web.auth import CSRF_SESSION_KEY, SESSION_ID_KEY, current_user
from web.labels import ROLE_LABELS
from web.nul import request_has_nul
from web.throttling import limiter

CSRF_FIELD = CSRF_SESSION_KEY  # the form field carries the session's token under the same name

# The UI's pages load everything from this origin: no inline script (ui.js reads data-* and JSON
# data blocks), no inline style; fonts and a few DSFR/bpmn-js icons are data: URLs.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'"))
# The BPMN editor page only: CodeMirror (inside the properties panel's FEEL/script fields and
# form-js's editor) injects its styles as <style> elements (style-mod, no nonce option through
# the UMD builds) and the panel and form-js set a few style attributes through markup; so inline
# styles (elements and attributes) are allowed there; scripts stay as strict as elsewhere: no
# inline script, ever (issue 14).
EDITOR_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
EDITOR_PATH = re.compile(r"^/ui/processus/[^/]+/editeur$")
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
}
EVERY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Pages and API answers carry personal data (names, licence numbers, outcomes): no browser or
# proxy keeps a copy (a shared computer's back button or disk cache after logout). Static files
# keep their own caching.
NO_STORE = "no-store"
# Flask's endpoints of static files: the UI's own (/ui/static) and the front-end packages'
# (/static/vendor, web/ui/vendor.py)
STATIC_ENDPOINTS = frozenset({"ui.static", "vendor", "static"})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, never written on a static file's response. Static files are public
    and cacheable (a response that sets a cookie must not be shared by a cache), and fetching a
    stylesheet is no sign of the user's activity; pages and API calls keep re-issuing the cookie
    (SESSION_REFRESH_EACH_REQUEST with a permanent session: 8 hours from the last request)."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint in STATIC_ENDPOINTS:
            return  # nothing of the session is read or changed by a static file
        super().save_session(app, session, response)


def _login_failed(response) -> bool:
    return response.status_code == 401


def _login_username() -> str:
    return "username:" + request.form.get("username", "").strip().casefold()


def _login_address() -> str:
    return "address:" + (get_remote_address() or "")


def login_throttled(view):
    """The login view's limits: failed POSTs per username and per client address."""
    for key_func, setting in ((_login_username, "LOGIN_LIMIT_PER_USERNAME"),
                              (_login_address, "LOGIN_LIMIT_PER_ADDRESS")):
        view = limiter.limit(lambda setting=setting: current_app.config[setting],
                             key_func=key_func, methods=["POST"], deduct_when=_login_failed,
                             scope=setting.lower())(view)
    return view


def init(app: Flask) -> None:
    """The cookie's lifetime and flags are settings (services/settings.py)."""
    app.session_interface = SessionInterface()
    try:
        limiter.init_app(app)
    except ConfigurationError as exc:  # an unknown scheme, or its client library missing
        raise SystemExit(f"Configuration invalide — RATELIMIT_STORAGE_URI : « "
                         f"{app.config['RATELIMIT_STORAGE_URI']} » inutilisable ({exc})") from None

    @app.context_processor
    def _csrf():
        return {"csrf_token": csrf_token, "current_user": current_user}

    @app.after_request
    def _security_headers(response):
        for name, value in EVERY_HEADERS.items():
            response.headers.setdefault(name, value)
        if (is_ui_path(request.path) and not request.path.startswith("/ui/static/")) \
                or request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", NO_STORE)
        if is_ui_path(request.path):
            for name, value in PAGE_HEADERS.items():
                if name == "Content-Security-Policy" and EDITOR_PATH.match(request.path):
                    value = EDITOR_CONTENT_SECURITY_POLICY
                response.headers.setdefault(name, value)
        return response


def is_ui_path(path: str) -> bool:
    """The browser UI's pages (and "/", which redirects to them)."""
    return path == "/" or path == "/ui" or path.startswith("/ui/")


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Before every state-changing request of the UI: the form's token must be the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        abort(400, "Jeton CSRF absent ou invalide : rechargez la page et recommencez.")


def refuse_nul() -> None:
    """A NUL character in the path, the query or a form is refused (400) before it reaches the
    database: PostgreSQL text cannot hold one, and no field of the UI takes one."""
    if request_has_nul():
        abort(400, "La requête contient un caractère nul : elle est refusée.")


def log_in(user) -> None:
    """A new server-side session and a new CSRF token (nothing of the anonymous one is kept)."""
    session_id = users.open_session(user)
    session.clear()
    session.permanent = True
    session[SESSION_ID_KEY] = session_id
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def log_out() -> None:
    """The server-side session is deleted: the cookie, even replayed, authenticates nobody."""
    session_id = session.get(SESSION_ID_KEY)
    if isinstance(session_id, str):
        users.end_session(session_id)
    session.clear()


def login_required(*roles: str):
    """The view needs a logged-in user with one of `roles` (admin always; none = any role)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None or not user.active:
                return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
            if roles and user.role != "admin" and user.role not in roles:
                abort(403, f"Le rôle « {ROLE_LABELS.get(user.role, user.role)} » ne permet "
                           "pas d'ouvrir cette page.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


NEXT_SAFE = "/?&=%#:;,+@!$'()*~-._"  # kept as they are; anything else is percent-encoded


def safe_next(target: str | None, default: str) -> str:
    """Only a local UI path (no open redirect). Spaces, control characters (a line break would
    split the Location header) and non-ASCII are percent-encoded."""
    if target and target.startswith("/ui/"):
        return quote(target, safe=NEXT_SAFE)
    return default
