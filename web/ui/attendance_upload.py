"""The attendance of a session uploaded as a CSV file (web.ui.attendance_csv reads and checks it):
nothing is stored until every line is right, then the same service as the attendance form and the
API records it, in one transaction. The same access as the form: a centre for its own sessions,
or a clerk."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for

from services import centre_access, sessions
from services.clock import clock
from services.errors import Conflict, Invalid
from web import tabular
from web.auth import current_user
from web.tabular import Table
from web.ui.attendance_csv import MAX_BYTES, LineError, parse
from web.ui.routes import Pages
from web.ui.security import login_required
from web.ui.session_pages import render_session

pages = Pages()

RECORD_FIELD = re.compile(r"^records\.(\d+)\.(\w+)$")
COLUMN_OF = {"licence": "Permis", "day1": "Jour 1", "day2": "Jour 2"}


def _not_recordable(session) -> str | None:
    """Why the session's attendance cannot be recorded now (the service says the same)."""
    if session.status == "cancelled":
        return "La session est annulée."
    if session.status == "held":
        return "La présence de cette session est déjà enregistrée."
    if clock().today() < session.day2:
        return (f"La présence ne peut être enregistrée qu'à partir du second jour "
                f"({session.day2:%d/%m/%Y}).")
    return None


def _refused(session_id: int, name: str, errors: list[LineError], status: int = 422):
    return render_session(session_id, status=status, upload_errors=errors, upload_name=name)


@pages.route("/sessions/<int:session_id>/presence/modele.csv")
@login_required("agent", "centre")
def attendance_template(session_id: int):
    """The sheet to fill in: one line per enrolled trainee, the days left blank."""
    session = centre_access.session_for(current_user(), session_id)
    enrolled = [(e.case.licence.number, e.case.licence.holder_name)
                for e in sessions.active_enrollments(session)]
    table = Table(f"presence-session-{session.id}", "Présence",
                  ["Permis", "Stagiaire", "Jour 1", "Jour 2"], len(enrolled),
                  lambda: ([number, name, "", ""] for number, name in enrolled))
    return tabular.response(table, "csv")


@pages.route("/sessions/<int:session_id>/presence/fichier", methods=["POST"])
@login_required("agent", "centre")
def upload_attendance(session_id: int):
    user = current_user()
    session = centre_access.session_for(user, session_id)
    reason = _not_recordable(session)
    if reason:
        return render_session(session_id, message=reason, status=409)
    upload = request.files.get("fichier")
    name = (upload.filename or "") if upload else ""
    if upload is None or not name:
        return _refused(session_id, "", [LineError(None, "", "Choisissez le fichier CSV de "
                                                             "la feuille de présence.")])
    raw = upload.stream.read(MAX_BYTES + 1)
    enrolled = {e.case.licence.number: e.case.licence.holder_name
                for e in sessions.active_enrollments(session)}
    records, errors = parse(raw, enrolled)
    if errors:
        return _refused(session_id, name, errors)
    lines = [record.pop("line") for record in records]
    try:
        sessions.record_attendance(centre_access.session_for(user, session_id), records,
                                   user)
    except Conflict as exc:
        return render_session(session_id, message=exc.detail, status=exc.status)
    except Invalid as exc:  # the sheet no longer matches the trainees (changed meanwhile)
        return _refused(session_id, name, line_errors(exc, lines), exc.status)
    flash(f"Présence importée du fichier « {name} » et enregistrée : les attestations des "
          "stagiaires présents les deux jours sont délivrées.", "success")
    return redirect(url_for("ui.session_page", session_id=session_id))


def line_errors(exc: Invalid, lines: list[int]) -> list[LineError]:
    """The service's errors (records.<i>.<field>) at the file's lines (`lines`: record i's);
    the others for the whole file."""
    out = []
    for key, messages in (exc.errors or {"": [exc.detail]}).items():
        match = RECORD_FIELD.match(key)
        index = int(match.group(1)) if match else -1
        for message in messages:
            if 0 <= index < len(lines):
                out.append(LineError(lines[index], COLUMN_OF.get(match.group(2), ""), message))
            else:
                out.append(LineError(None, "", message))
    return out
