"""The attestations to verify, validated by batch (agents): each row's facts in a disclosure (a
side panel with JavaScript), a tick per case, one button. Each case is its own command and
transaction (services.batch); the page then lists what went through and why the others did not."""

from __future__ import annotations

import re

from flask import render_template, request

from services import batch
from services.db import MAX_ROW_ID
from web.auth import current_user
from web.ui.listing import clamp, int_arg, page_numbers
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

TASK_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only ("²".isdigit() is true)


def _selected() -> tuple[list[int], str | None]:
    """The ticked task ids, in order, once each; or the French reason the selection is refused."""
    raw = request.form.getlist("task")
    ids: list[int] = []
    for value in raw:
        value = value.strip()
        if not TASK_ID.fullmatch(value) or int(value) > MAX_ROW_ID:
            return [], "La sélection envoyée est invalide : rechargez la page et recommencez."
        task_id = int(value)
        if task_id not in ids:
            ids.append(task_id)
    if not ids:
        return [], "Cochez au moins une attestation à valider."
    if len(ids) > batch.MAX_BATCH:
        return [], f"Au plus {batch.MAX_BATCH} attestations à la fois."
    return ids, None


@pages.route("/taches/attestations", methods=["GET", "POST"])
@login_required("agent")
def batch_attestations():
    results, error, status = None, None, 200
    if request.method == "POST":
        ids, error = _selected()
        if error:
            status = 422
        else:
            results = batch.validate(ids, current_user())
            if not any(r.ok for r in results):
                status = 409
    page = int_arg("page")
    items, total = batch.to_verify(page, batch.MAX_BATCH)
    if not items and total:
        page = clamp(page, total, batch.MAX_BATCH)
        items, total = batch.to_verify(page, batch.MAX_BATCH)
    rows = [{"task": t, **batch.facts(t)} for t in items]
    done = [r for r in results or [] if r.ok]
    refused = [r for r in results or [] if not r.ok]
    return render_template("ui/batch.html", rows=rows, total=total, page=page,
                           pages=page_numbers(total, batch.MAX_BATCH), results=results, done=done,
                           refused=refused, error=error, me=current_user()), status
