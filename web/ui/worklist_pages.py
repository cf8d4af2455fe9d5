"""The clerk's working pages: the dashboard, the task list (claim, give back) and the search."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import background_health, cases, licences, replay, tasks
from services.clock import clock
from services.errors import Conflict, Forbidden
from services.reads import worklist
from web.auth import current_user
from web.ui.listing import PER_PAGE, choice_arg, date_arg, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required, safe_next

pages = Pages()
CHANGES_SHOWN = 20  # the oldest proposals; the count says how many wait
# the task list's filters (ui/tasks.html); services/reads/worklist.py reads the same values
SCOPES = {"": "Toutes les tâches ouvertes", "mine": "Mes tâches",
          "unassigned": "Non attribuées", "groupes": "Mes groupes"}
SORTS = {"echeance": "Délai, le plus proche d'abord",
         "-echeance": "Délai, le plus lointain d'abord",
         "creation": "Création, la plus ancienne d'abord",
         "-creation": "Création, la plus récente d'abord"}


@pages.route("/tableau-de-bord", endpoint="dashboard")
@login_required("agent")
def dashboard_view():
    user = current_user()
    today = clock().today()
    mine, mine_total = worklist.task_page(user, "mine", per_page=10)
    free, free_total = worklist.task_page(user, "unassigned", per_page=10)
    near, near_total = worklist.deadline_cases(today)
    late, late_total = worklist.late_attestations(today)
    chart = worklist.deadlines_per_week(today)
    return render_template("ui/dashboard.html", mine=mine, mine_total=mine_total, free=free,
                           free_total=free_total, near=near, near_total=near_total, late=late,
                           late_total=late_total, chart=chart,
                           late_work=background_health.late_work())


@pages.route("/taches")
@login_required("agent")
def task_list():
    user = current_user()
    scope = choice_arg("filtre", SCOPES, "", "Attribution")
    kinds = worklist.task_kinds()
    key = choice_arg("tache", {"": "", **kinds}, "", "Type de tâche")
    due = date_arg("echeance_avant", "Délai au plus tard le")
    sort = choice_arg("tri", SORTS, "echeance", "Trier par")
    page = int_arg("page")
    items, total = worklist.task_page(user, scope, key, due, sort, page, PER_PAGE)
    if (back := past_the_end(page, total)) is not None:
        return back
    tasks.preload_forms(items)  # a form that cannot be read is told on its row
    unreadable = {t.id: tasks.task_form(t).problem for t in items if tasks.task_form(t).problem}
    # recomputed outcomes waiting for a clerk (issue 16): listed above, flagged on their rows
    changes, changes_total = replay.pending_cases(CHANGES_SHOWN)
    return render_template("ui/tasks.html", items=items, total=total, page=page,
                           unreadable=unreadable, changes=changes, changes_total=changes_total,
                           to_validate=replay.pending_ids(t.case_id for t in items),
                           pages=page_numbers(total), scope=scope, key=key, due=due, sort=sort,
                           task_titles=kinds, scopes=SCOPES, sorts=SORTS)


@pages.route("/taches/<int:task_id>/prendre", methods=["POST"])
@login_required("agent")
def claim(task_id: int):
    return _claim_or_unclaim(tasks.claim, task_id,
                             "Tâche prise : elle figure dans « Mes tâches ».")


@pages.route("/taches/<int:task_id>/rendre", methods=["POST"])
@login_required("agent")
def unclaim(task_id: int):
    return _claim_or_unclaim(tasks.unclaim, task_id,
                             "Tâche rendue : elle est de nouveau non attribuée.")


def _claim_or_unclaim(command, task_id: int, done: str):
    """Back to the list the button was on; a clerk who lost the race (another took the task
    meanwhile, or finished it) is told there, as the case page does for a task's form."""
    try:
        command(task_id, current_user())
    except (Conflict, Forbidden) as exc:
        flash(exc.detail, "error")
    else:
        flash(done, "success")
    return redirect(safe_next(request.form.get("next"), url_for("ui.task_list")))


@pages.route("/recherche")
@login_required("agent")
def search():
    """Cases by reference, licence number or name; licences by number or name."""
    q = request.args.get("q", "").strip()
    page = int_arg("page")
    found_licences, licence_total, items, total = [], 0, [], 0
    if q:
        items, total = cases.list_cases(None, None, q, False, page, PER_PAGE)
        if (back := past_the_end(page, total)) is not None:
            return back
        found_licences, licence_total = licences.search(q, int_arg("permis"), PER_PAGE)
    return render_template("ui/search.html", q=q, items=items, total=total, page=page,
                           pages=page_numbers(total), found_licences=found_licences,
                           licence_total=licence_total, licence_page=int_arg("permis"),
                           licence_pages=page_numbers(licence_total))
