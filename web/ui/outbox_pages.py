"""The outbox, for admins: the catalogue's deferred sends (emails) with their status, attempts,
next attempt and last error, and putting an abandoned one back (services/outbox.py; the same as
GET /api/v1/outbox and POST …/retry)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import background_health, outbox
from services.errors import Conflict, NotFound
from web.auth import current_user
from web.ui.listing import PER_PAGE, choice_arg, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

STATES = {"tous": "Tous", **outbox.STATUS_LABELS}


@pages.route("/envois")
@login_required("admin")
def outbox_list():
    state = choice_arg("etat", STATES, "tous", "État")
    page = int_arg("page")
    items, total = outbox.list_jobs(None if state == "tous" else state, page, PER_PAGE)
    if (back := past_the_end(page, total)) is not None:
        return back
    return render_template("ui/outbox.html", items=items, total=total, page=page,
                           pages=page_numbers(total), state=state, states=STATES,
                           max_attempts=outbox.MAX_ATTEMPTS,
                           late_work=background_health.late_work())


@pages.route("/envois/<int:job_id>/relancer", methods=["POST"])
@login_required("admin")
def outbox_retry(job_id: int):
    try:
        outbox.retry(job_id, current_user().username)
    except (NotFound, Conflict) as exc:
        flash(exc.detail, "error")
    else:
        flash(f"Envoi n° {job_id} remis dans la file d'envoi.", "success")
    return redirect(url_for("ui.outbox_list", etat=request.args.get("etat", "tous")))
