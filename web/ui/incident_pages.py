"""Incidents, for designers and admins: the list (open, resolved, all), and resolving one
(services/incidents.py; the same as GET /api/v1/incidents and POST …/resolve)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import incidents
from services.errors import Conflict, NotFound
from web.auth import current_user
from web.ui.listing import PER_PAGE, choice_arg, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

STATES = {"ouverts": "Ouverts", "resolus": "Résolus", "tous": "Tous"}


@pages.route("/incidents")
@login_required("designer")
def incident_list():
    state = choice_arg("etat", STATES, "ouverts", "État")
    page = int_arg("page")
    items, total = incidents.list_incidents(None if state == "tous" else state, page, PER_PAGE)
    if (back := past_the_end(page, total)) is not None:
        return back
    return render_template("ui/incidents.html", items=items, total=total, page=page,
                           pages=page_numbers(total), state=state, states=STATES)


@pages.route("/incidents/<int:incident_id>/resoudre", methods=["POST"])
@login_required("designer")
def incident_resolve(incident_id: int):
    try:
        incidents.resolve(incident_id, current_user().username)
    except (NotFound, Conflict) as exc:
        flash(exc.detail, "error")
    else:
        flash(f"Incident n° {incident_id} marqué comme résolu.", "success")
    return redirect(url_for("ui.incident_list", etat=request.args.get("etat", "ouverts")))
