"""The admins' journal, for admins (services/admin_log.py; the same as GET /api/v1/admin/events):
who did what to users, tokens, groups, the manual clock and the outbox, newest first."""

from __future__ import annotations

from flask import render_template, request

from services import admin_log
from web.labels import ROLE_LABELS, fvalue
from web.ui.listing import PER_PAGE, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

FIELDS = {"role": "rôle", "centre": "centre", "groups": "groupes", "active": "actif",
          "name": "nom", "code": "code", "now": "heure", "status": "état",
          "attempts": "tentatives", "case": "dossier", "last_error": "dernière erreur",
          "removed_groups": "groupes retirés"}
VALUES = {"role": ROLE_LABELS}  # the codes of a field, for people


def _shown(value, words: dict | None = None) -> str:
    if value is None or value == []:
        return "aucun"
    if isinstance(value, list):
        return ", ".join(_shown(v, words) for v in value)
    if words and isinstance(value, str) and value in words:
        return words[value]
    return fvalue(value)


def changes(event) -> list[str]:
    """Each entry of an event's detail as one line: « champ : avant → après » for a change (a
    list, in every type but the creations, is [before, after]), « champ : valeur » otherwise."""
    lines = []
    for name, value in event.detail.items():
        label, words = FIELDS.get(name, name), VALUES.get(name)
        if isinstance(value, list) and event.type not in admin_log.CREATIONS:
            lines.append(f"{label} : {_shown(value[0], words)} → {_shown(value[1], words)}")
        else:
            lines.append(f"{label} : {_shown(value, words)}")
    return lines


@pages.route("/journal")
@login_required("admin")
def admin_journal():
    kind = request.args.get("type", "")
    kind = kind if kind in admin_log.LABELS else ""
    page = int_arg("page")
    items, total = admin_log.list_events(page, PER_PAGE, kind or None)
    if (back := past_the_end(page, total)) is not None:
        return back
    return render_template("ui/admin_journal.html", items=items, total=total, page=page,
                           pages=page_numbers(total), kind=kind, labels=admin_log.LABELS,
                           changes=changes)
