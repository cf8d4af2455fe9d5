"""The case page (dossier) and its commands: the current task's form, enrolment in a session, the
attestation's receipt. Agents only: a centre operator never opens a case."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from services import (
    cases,
    incidents,
    journey,
    letters,
    licence_ledger,
    licences,
    outcome,
    replay,
    sessions,
    statuses,
    tasks,
)
from services.clock import clock
from services.errors import Conflict, Forbidden, Invalid
from services.reads import case_view, licence_view, session_view
from web import labels
from web.api.schemas import (
    AttestationInSchema,
    EnrollmentInSchema,
    ProposalDecisionInSchema,
    ProposalDismissInSchema,
)
from web.api.uploads import bpmn_response
from web.auth import current_user
from web.ui import confirm, forms
from web.ui.formdata import Field, Form, FormSpec
from web.ui.listing import paged
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

HISTORY_PER_PAGE = 15
LEDGER_PER_PAGE = 10

ENROL_FORM = FormSpec(Field("session", "Session (places libres)", "int", True, widget="select",
                            hint="Planifiées à partir d'aujourd'hui ; une session qui se termine "
                                 "après l'échéance est signalée (R19)."))
DISMISS_FORM = FormSpec(
    Field("motif", "Motif de l'écart", "text", True, widget="textarea", max_length=500,
          hint="Pourquoi le résultat enregistré est maintenu (inscrit à l'historique)."),
    Field("proposal", "Proposition", "int"))
ATTESTATION_FORM = FormSpec(Field(
    "received_on", "Attestation reçue le", "date", True,
    hint="Le délai d'un mois pour créditer les points court à partir de cette date (R39, D4)."))


def session_choices(items, deadline=None) -> list[tuple[str, str]]:
    out = []
    for s in items:
        free = s.capacity - len(sessions.active_enrollments(s))
        late = " — après l'échéance" if sessions.too_late_for(s, deadline) else ""
        out.append((str(s.id), f"n° {s.id} — {s.centre.name}, {s.day1:%d/%m/%Y} et "
                               f"{s.day2:%d/%m/%Y} ({free} place{'s' if free > 1 else ''}){late}"))
    return out


@pages.route("/dossiers/<int:case_id>")
@login_required("agent")
def case_page(case_id: int):
    return render_case(case_id)


def render_case(case_id: int, form_task: int | None = None, values: dict | None = None,
                errors: dict | None = None, status: int = 200, enrol: Form | None = None,
                attestation: Form | None = None, dismiss: Form | None = None,
                confirmation: dict | None = None):
    case = cases.get(case_id)
    today = clock().today()
    # the ledger replayed and the open tasks read once, for the case, the figures and the chart
    replayed = licence_ledger.replay(case.licence)
    open_tasks = cases.open_tasks(case)
    view = cases.view(case, replayed, open_tasks)
    tasks.preload_forms(open_tasks)
    task_forms = [{"task": t, "form": forms.task_form(t, values, errors) if t.id == form_task
                   else forms.task_form(t), "problem": forms.problem(t)} for t in open_tasks]
    answered = [{"task": t, "answers": forms.answers(t)} for t in tasks.answered(case.id)]
    answered = [a for a in answered if a["answers"]]
    points = licences.view(case.licence, today, replayed)
    movements, ledger_page, ledger_pages = paged(list(reversed(points["movements"])), "releve",
                                                 LEDGER_PER_PAGE)  # the latest first
    history_all = case_view.history(case)
    history, history_page, history_pages = paged(history_all, "historique", HISTORY_PER_PAGE)
    open_sessions = (session_view.open_sessions(today)
                     if case.status == "en_attente_inscription" else [])
    diagram = journey.diagram_state(case)
    for timer in (diagram or {}).get("timers", []):  # the overlay says what the page says
        timer["when"] = labels.timer_due(timer["due_at"])
    return render_template(
        "ui/case.html", case=case, view=view, task_forms=task_forms, answered=answered,
        ledger=points,
        movements=movements, ledger_page=ledger_page, ledger_pages=ledger_pages,
        series=licence_view.balance_series(case.licence, today, replayed),
        diagram=diagram,
        days_left=(case.deadline - today).days if case.deadline else None,
        # R19/D1: a course that met the deadline ends its count; then the crediting deadline
        # (D4) is what can be late, as the dashboard's lists say (a QA finding)
        course_in_time=outcome.course_in_time(case) if case.deadline else None,
        deadline_overdue=outcome.deadline_overdue(case, today),
        credit_late_days=max([(today - t.due_on).days for t in open_tasks
                              if t.key in statuses.CREDITING_TASKS and t.due_on
                              and t.due_on < today], default=None),
        history=history, history_page=history_page, history_pages=history_pages,
        history_total=len(history_all),
        session_choices=session_choices(open_sessions, case.deadline),
        enrol=enrol or Form(ENROL_FORM),
        attestation=attestation or Form(ATTESTATION_FORM, {"received_on": today.isoformat()}),
        dismiss=dismiss or Form(DISMISS_FORM),
        letters=letters.letters_of(case.id),
        incidents=incidents.open_on_case(case.id),
        confirmation=confirmation,
        unenrol_url=_unenrolment_url(case, today),
        # a course no longer current (its attestation refused, none issued): still shown
        past_course=None if case.session else outcome.latest_attended(case),
        claimed_at={t.id: tasks.claimed_at(t) for t in open_tasks
                    if t.assignee_id not in (None, current_user().id)},
    ), status


def _unenrolment_url(case, today) -> str | None:
    """The session page's « Désinscrire » for the case's current enrolment, when that page
    offers it (LD16: sessions.unenrolment_open, and the enrolment still current). Every user
    of this page (clerks, admins) may un-enrol; the route brings them back to the case."""
    session = case.session
    if session is None or not sessions.unenrolment_open(session, today):
        return None
    if not any(e.session_id == session.id and e.status == "enrolled"
               for e in case.enrollments):
        return None
    return url_for("ui.session_unenrol", session_id=session.id, case_id=case.id, retour="dossier")


@pages.route("/dossiers/<int:case_id>/diagramme.bpmn")
@login_required("agent")
def case_diagram(case_id: int):
    case = cases.get(case_id)
    if case.instance is None:
        abort(404)
    # the viewer fetches it; opened directly, it is a download that runs nothing it carries
    return bpmn_response(case.instance.version.xml, f"{case.reference}.bpmn")


@pages.route("/dossiers/<int:case_id>/courriers/<int:letter_id>")
@login_required("agent")
def case_letter(case_id: int, letter_id: int):
    """A letter of the case, as a PDF download (the API's, for the browser's session)."""
    from web.api.letters import pdf_response

    cases.get(case_id)
    return pdf_response(letters.pdf_of(case_id, letter_id))


@pages.route("/dossiers/<int:case_id>/taches/<int:task_id>", methods=["POST"])
@login_required("agent")
def complete_task(case_id: int, task_id: int):
    task = tasks.get(task_id)
    if task.case_id != case_id:
        abort(404)
    if confirm.going_back(request.form):  # « Revenir »: the form again, as it was filled in
        return render_case(case_id, task_id, dict(request.form))
    data = forms.data_from(task, request.form)
    asked = forms.confirmation(task, data)
    scope = f"tache:{task_id}"
    try:
        if asked and not confirm.confirmed(scope, data, request.form):
            # checked as the command would be, then shown: nothing is done before « Confirmer »
            tasks.check_completion(task_id, data, current_user())
            return render_case(case_id, confirmation={
                **asked, "task": task_id, "token": confirm.token(scope, data),
                "consequences": tasks.decision_consequences(task, data),
                "answers": forms.answers(task, data),
                "fields": forms.sent_fields(task, request.form),
                "again": bool(request.form.get(confirm.FIELD))})
        tasks.complete(task_id, data, current_user())
    except Invalid as exc:
        return render_case(case_id, task_id, dict(request.form),
                           forms.field_errors(exc.errors), 422)
    except (Conflict, Forbidden) as exc:
        flash(exc.detail, "error")
        return redirect(url_for("ui.case_page", case_id=case_id))
    flash(f"« {task.title} » : tâche terminée.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


@pages.route("/dossiers/<int:case_id>/inscription", methods=["POST"])
@login_required("agent")
def enroll(case_id: int):
    try:
        data = ENROL_FORM.load(EnrollmentInSchema, request.form)
        case = cases.enroll(cases.get(case_id), data["session"], current_user())
        message = enrolled_message(case, sessions.get(data["session"]))
    except (Invalid, Conflict) as exc:
        return render_case(case_id, status=exc.status,
                           enrol=Form.refused(ENROL_FORM, request.form, exc, "session"))
    flash(message, "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


def enrolled_message(case, session) -> str:
    text = f"Dossier {case.reference} inscrit à la session n° {session.id}."
    if sessions.too_late_for(session, case.deadline):
        text += (f" Attention : la session se termine après l'échéance du "
                 f"{case.deadline:%d/%m/%Y} (R19) ; le dossier est signalé.")
    return text


@pages.route("/dossiers/<int:case_id>/attestation", methods=["POST"])
@login_required("agent")
def receive_attestation(case_id: int):
    try:
        data = ATTESTATION_FORM.load(AttestationInSchema, request.form)
        cases.receive_attestation(cases.get(case_id), data["received_on"],
                                  current_user().username)
    except (Invalid, Conflict) as exc:
        return render_case(case_id, status=exc.status, attestation=Form.refused(
            ATTESTATION_FORM, request.form, exc, "received_on"))
    flash("Réception de l'attestation enregistrée : la vérification est à faire.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


# ---- a recomputed outcome waiting for a clerk (issue 16) -----------------------------------

@pages.route("/dossiers/<int:case_id>/changement/valider", methods=["POST"])
@login_required("agent")
def accept_change(case_id: int):
    try:
        data = DISMISS_FORM.load(ProposalDecisionInSchema, {"proposal": request.form.get(
            "proposal", "")})
        replay.accept(case_id, current_user().username, data.get("proposal"))
    except (Invalid, Conflict) as exc:
        flash(exc.detail, "error")
        return redirect(url_for("ui.case_page", case_id=case_id))
    flash("Changement de résultat validé : il s'applique au dossier.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))


@pages.route("/dossiers/<int:case_id>/changement/ecarter", methods=["POST"])
@login_required("agent")
def dismiss_change(case_id: int):
    try:
        data = DISMISS_FORM.load(ProposalDismissInSchema, request.form)
        replay.dismiss(case_id, current_user().username, data["motif"], data.get("proposal"))
    except Invalid as exc:
        return render_case(case_id, status=exc.status,
                           dismiss=Form.refused(DISMISS_FORM, request.form, exc, "motif"))
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("ui.case_page", case_id=case_id))
    flash("Changement de résultat écarté : le résultat enregistré est maintenu.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))
