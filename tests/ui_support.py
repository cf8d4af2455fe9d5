"""A small driver for the browser UI's pages through Flask's test client: log in with the form,
post forms with the session's CSRF token, read back the errors shown next to each field and the
values a rejected form kept."""

from __future__ import annotations

import html
import re

from services.db import db

PASSWORD = "motdepasse-test"  # tests.helpers.ApiClient.bootstrap's users

ERROR = re.compile(r'<p class="fr-message fr-message--error" id="([\w-]+?)-error(?:-\d+)?">'
                   r"([^<]*)</p>")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=")


class UiClient:
    def __init__(self, app):
        self.http = app.test_client()

    def _done(self, resp):
        db.session.remove()  # as a real request's teardown: the next one reads fresh data
        return resp

    def csrf(self) -> str:
        with self.http.session_transaction() as session:
            return session.get("csrf_token", "")

    def login(self, username: str, password: str = PASSWORD):
        self.get("/ui/connexion")
        resp = self.post("/ui/connexion", {"username": username, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp

    def get(self, path: str, **query):
        return self._done(self.http.get(path, query_string=query or None))

    def post(self, path: str, data: dict | None = None, csrf: bool = True):
        form = {k: v for k, v in (data or {}).items() if v is not None}
        if csrf:
            form["csrf_token"] = self.csrf()
        return self._done(self.http.post(path, data=form))


def logged_in(app, username: str) -> UiClient:
    """A UI client logged in as `username` through the form."""
    client = UiClient(app)
    client.login(username)
    return client


def log_in_directly(client, username: str) -> str:
    """Give a Flask test client a live login session of `username` without the form (no CSRF
    token in it): a server-side session whose id goes in the signed cookie, as log_in does."""
    from services import users
    from services.db import transaction

    with transaction():
        session_id = users.open_session(users.get_by_name(username))
    with client.session_transaction() as session:
        session["sid"] = session_id
    db.session.remove()
    return session_id


def text(resp) -> str:
    return resp.get_data(as_text=True)


def field_errors(resp) -> dict[str, list[str]]:
    """{field id: [messages shown next to it]} of a rendered page."""
    out: dict[str, list[str]] = {}
    for field_id, message in ERROR.findall(text(resp)):
        out.setdefault(field_id, []).append(html.unescape(message))
    return out


def input_value(resp, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', text(resp))
    if match is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def checked(resp, field_id: str) -> bool:
    match = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', text(resp))
    return match is not None and " checked" in match.group(0)


def selected(resp, field_id: str) -> str | None:
    match = re.search(rf'<select[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</select>',
                      text(resp), re.S)
    if match is None:
        return None
    option = re.search(r'<option value="([^"]*)" selected', match.group(1))
    return html.unescape(option.group(1)) if option else None


def summary(resp) -> list[str]:
    """The lines of the error summary at the top of a rejected form."""
    match = re.search(r"<div [^>]*data-error-summary>(.*?)</div>", text(resp), re.S)
    if match is None:
        return []
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def flashes(resp) -> list[str]:
    return [html.unescape(m.strip()) for m in re.findall(
        r'<div class="fr-alert fr-alert--success[^"]*"[^>]*>\s*<p>(.*?)</p>', text(resp), re.S)]
