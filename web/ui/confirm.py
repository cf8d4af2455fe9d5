"""The confirmation step of a page's irreversible command (a refused attestation, a session's
attendance): the first valid POST answers the same page with what will happen and a « Confirmer »
button carrying the same data; only the confirmed POST acts, and it is checked again like any
other. Without JavaScript: forms and POSTs only.

The confirming form carries `confirmation`, a token of what was shown: an HMAC, keyed by the
application's secret and the login session's CSRF token, of the command's scope (the task, the
session) and its data. A confirmation made for another task, other data or another login is not
one: the page asks again, nothing done. The API never asks (its clients confirm by calling)."""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import current_app, session

from web.auth import CSRF_SESSION_KEY

FIELD = "confirmation"  # the token's form field
STEP = "etape"  # the confirming form's buttons: « confirmer », or back to the form
BACK = "revenir"


def token(scope: str, data) -> str:
    """The token of `data` shown for `scope` ("task:12", "session:4") in this login session."""
    key = f"{current_app.secret_key}|{session.get(CSRF_SESSION_KEY, '')}".encode()
    text = json.dumps([scope, data], sort_keys=True, ensure_ascii=False, default=str)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def confirmed(scope: str, data, form) -> bool:
    """The POST confirms exactly these data for this scope."""
    given = form.get(FIELD, "")
    return bool(given) and form.get(STEP) != BACK and hmac.compare_digest(
        given.encode(), token(scope, data).encode())


def going_back(form) -> bool:
    """« Revenir » / « Modifier »: the form again, with what was chosen."""
    return form.get(STEP) == BACK
