"""The attendance of a session uploaded as a CSV file (web.ui.attendance_csv reads and checks it):
nothing is stored until every line is right; then, as the attendance form, the page asks first
(web.ui.confirm): it says who gets an attestation and who does not, and only the confirming POST
records the records it carries (hidden fields, signed by its token; the file itself is not kept),
through the same service as the form and the API, in one transaction. The same access as the
form: a centre for its own sessions, or a clerk."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for

from services import centre_access, sessions
from services.clock import clock
from services.errors import Conflict, Invalid
from web import tabular
from web.auth import current_user
from web.tabular import Table
from web.ui import confirm
from web.ui.attendance_csv import MAX_BYTES, MAX_LINES, LineError, parse
from web.ui.routes import Pages
from web.ui.security import login_required
from web.ui.session_pages import attendance_summary, render_session

pages = Pages()

RECORD_FIELD = re.compile(r"^records\.(\d+)\.(\w+)$")
COLUMN_OF = {"licence": "Permis", "day1": "Jour 1", "day2": "Jour 2"}
NAME_FIELD = "nom_fichier"  # the confirming form's hidden fields: the file's name, and
RECORD_KEYS = ("licence", "day1", "day2", "line")  # records.<i>.<key> for each record
NAME_MAX = 255  # of the file's name, as carried and shown


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
    """Two steps, as the grid: a file whose every line is right (and that the service would
    record) answers the session page with what it does and « Confirmer la présence »; only
    that form's POST, its token matching the records it carries, records them."""
    user = current_user()
    session = centre_access.session_for(user, session_id)
    if confirm.going_back(request.form):  # « Annuler »: nothing recorded, the file forgotten
        flash("Import du fichier annulé : rien n'a été enregistré.", "info")
        return redirect(url_for("ui.session_page", session_id=session_id))
    reason = _not_recordable(session)
    if reason:
        return render_session(session_id, message=reason, status=409)
    if confirm.FIELD in request.form:
        return _confirmed_upload(session_id)
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
    name = name[:NAME_MAX]
    lines = [record.pop("line") for record in records]
    try:  # checked as the command would be, then summed up: nothing recorded yet
        trainees = sessions.check_attendance(centre_access.session_for(user, session_id),
                                             records, user)
    except Conflict as exc:
        return render_session(session_id, message=exc.detail, status=exc.status)
    except Invalid as exc:  # the sheet no longer matches the trainees (changed meanwhile)
        return _refused(session_id, name, line_errors(exc, lines), exc.status)
    fields = _fields(name, records, lines)
    return render_session(session_id, confirmation=attendance_summary(
        [trainees[r["licence"]].case.licence.holder_name for r in records], records, fields,
        confirm.token(_scope(session_id), fields),
        url_for("ui.upload_attendance", session_id=session_id), back="Annuler", file=name))


def _confirmed_upload(session_id: int):
    """The confirming POST: the records it carries, recorded only when its token is theirs."""
    fields = _sent_fields(request.form)
    if fields is None or not confirm.confirmed(_scope(session_id), fields, request.form):
        return _refused(session_id, "", [LineError(None, "", (
            "La confirmation reçue ne correspond pas au fichier importé, ou elle a expiré "
            "(nouvelle connexion) : rien n'a été enregistré. Envoyez le fichier de "
            "nouveau."))])
    values = dict(fields)
    name = values.pop(NAME_FIELD)
    records, lines = [], []
    for i in range(len(values) // len(RECORD_KEYS)):
        records.append({key: values[f"records.{i}.{key}"] for key in RECORD_KEYS[:-1]})
        lines.append(int(values[f"records.{i}.line"]))  # ours: the token says so
    user = current_user()
    try:
        sessions.record_attendance(centre_access.session_for(user, session_id), records, user)
    except Conflict as exc:
        return render_session(session_id, message=exc.detail, status=exc.status)
    except Invalid as exc:  # the trainees changed since the file was checked
        return _refused(session_id, name, line_errors(exc, lines), exc.status)
    flash(f"Présence importée du fichier « {name} » et enregistrée : les attestations des "
          "stagiaires présents les deux jours sont délivrées.", "success")
    return redirect(url_for("ui.session_page", session_id=session_id))


def _scope(session_id: int) -> str:
    return f"session:{session_id}:fichier"


def _fields(name: str, records: list[dict], lines: list[int]) -> list[tuple[str, str]]:
    """The confirming form's hidden fields: the file's name and its records, in order."""
    fields = [(NAME_FIELD, name)]
    for i, (record, line) in enumerate(zip(records, lines, strict=True)):
        fields += [(f"records.{i}.{key}", str(line if key == "line" else record[key]))
                   for key in RECORD_KEYS]
    return fields


def _sent_fields(form) -> list[tuple[str, str]] | None:
    """The hidden fields a confirming POST carries, read back in the order `_fields` wrote
    them (None when they are not such fields: the token is then checked against nothing)."""
    if NAME_FIELD not in form:
        return None
    fields = [(NAME_FIELD, form[NAME_FIELD])]
    for i in range(MAX_LINES + 1):
        if f"records.{i}.licence" not in form:
            break
        for key in RECORD_KEYS:
            if f"records.{i}.{key}" not in form:
                return None
            fields.append((f"records.{i}.{key}", form[f"records.{i}.{key}"]))
    return fields if len(fields) > 1 else None


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
