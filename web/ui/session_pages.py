"""Course sessions, for clerks and centres: the list with its filters, create a session, its page
(trainees, enrolment, attendance grid), cancel it (R36). A centre operator sees and acts only on
its own centre's sessions (403 otherwise) and creates sessions for its own centre only."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from marshmallow import fields

from services import cases, centre_access, sessions
from services.clock import clock
from services.errors import Conflict, Invalid
from services.reads import session_view
from web.api.schemas import (
    CancelSchema,
    In,
    SessionInSchema,
    SessionListArgs,
    UnenrolmentSchema,
    length,
)
from web.auth import current_user
from web.labels import ATTENDANCE, SESSION_STATUS_LABELS
from web.throttling import enrolment_refusals_throttled
from web.ui import confirm
from web.ui.case_pages import enrolled_message
from web.ui.formdata import Field, Form, FormSpec
from web.ui.listing import PER_PAGE, choice_arg, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

SESSION_FORM = FormSpec(
    Field("centre", "Centre agréé", "text", True, widget="select"),
    Field("day1", "Premier jour", "date", True, hint="Ni dimanche ni jour férié (R31)."),
    Field("day2", "Second jour", "date", True,
          hint="Le lendemain du premier jour, ni dimanche ni jour férié (D12, R31)."),
    Field("capacity", "Nombre de places", "int", True,
          hint="De 1 à 20 ; une session tenue avec moins de 6 ou plus de 20 présents est "
               "signalée (R32)."),
    Field("driving_sequence", "Avec une séquence de conduite", "bool",
          hint="12 stagiaires présents au plus dans ce cas (R32)."),
)
FILTER_FORM = FormSpec(
    Field("centre", "Centre", "text", widget="select"),
    Field("from", "Premier jour à partir du", "date"),
    Field("to", "Premier jour jusqu'au", "date"),
)
CANCEL_FORM = FormSpec(
    Field("on", "Annulée le", "date", True),
    Field("reason", "Motif de l'annulation", "text", True, widget="textarea", max_length=255,
          hint="Par exemple : effectif insuffisant. Il figure dans l'historique de chaque "
               "dossier inscrit (R36)."),
)
UNENROL_FORM = FormSpec(
    Field("reason", "Motif de la désinscription", "text", True, widget="textarea",
          max_length=sessions.REASON_MAX,
          hint="Par exemple : erreur sur le numéro de permis, désistement du stagiaire. Il "
               "figure dans l'historique du dossier (LD16)."),
)
ENROL_FORM = FormSpec(Field(
    "case", "Dossier à inscrire", "text", True,
    hint="Référence du dossier (STG-…) ou numéro de permis du stagiaire ; le dossier doit "
         "attendre une inscription."))
CENTRE_ENROL_FORM = FormSpec(Field(  # a centre names the trainee by the licence only
    "case", "Numéro de permis du stagiaire", "text", True,
    hint="Tel qu'il figure sur le permis ; le stagiaire doit avoir un dossier en attente "
         "d'inscription à la préfecture."))


def _enrol_form(user) -> FormSpec:
    return CENTRE_ENROL_FORM if user.role == "centre" else ENROL_FORM


class CaseTermSchema(In):
    """The session page's enrolment: a case reference or a licence number."""

    case = fields.String(required=True, validate=length(1, 40))


def _centre_choices() -> list[tuple[str, str]]:
    return [(c.agrement, f"{c.name} ({c.agrement})") for c in session_view.centres()]


# ---- the list ---------------------------------------------------------------------------------

@pages.route("/sessions")
@login_required("agent", "centre")
def session_list():
    user = current_user()
    page = int_arg("page")
    status = choice_arg("statut", {"": "", **SESSION_STATUS_LABELS}, "", "Statut")
    args = {k: v for k, v in request.args.items() if k in FILTER_FORM.fields and v}
    if user.role == "centre":
        args.pop("centre", None)
    form = Form(FILTER_FORM, args)
    try:
        filters = FILTER_FORM.load(SessionListArgs, args, {"page": page, "per_page": PER_PAGE})
    except Invalid as exc:
        form = Form.rejected(FILTER_FORM, args, exc.errors)
        items, total = [], 0
    else:
        items, total = sessions.list_sessions(user, filters["centre"], filters["from_"],
                                              filters["to"], page, PER_PAGE, status or None)
        if (back := past_the_end(page, total)) is not None:
            return back
    today = clock().today()
    late = {s.id for s in items if sessions.attendance_late(s, today)}
    return render_template("ui/sessions.html", items=items, total=total, page=page, late=late,
                           pages=page_numbers(total), form=form, status=status,
                           centre_choices=_centre_choices() if user.role != "centre" else [],
                           filtered=bool(args or status))


# ---- create -----------------------------------------------------------------------------------

@pages.route("/sessions/nouvelle", methods=["GET", "POST"])
@login_required("agent", "centre")
def session_new():
    user = current_user()
    own = user.centre if user.role == "centre" else None
    form, status = Form(SESSION_FORM, {"capacity": "20"}), 200
    if request.method == "POST":
        try:
            extra = {"centre": own.agrement} if own else None  # a centre declares its own only
            data = SESSION_FORM.load(SessionInSchema, request.form, extra)
            session_id = sessions.create(data, user).id
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(SESSION_FORM, request.form, exc), exc.status
            if own and "centre" in form.errors:  # no centre field on a centre's form: the
                # agrément's end (R23) bounds the second day, so its message goes there
                form.errors.setdefault("day2", []).extend(form.errors.pop("centre"))
        else:
            flash(f"Session n° {session_id} créée.", "success")
            return redirect(url_for("ui.session_page", session_id=session_id))
    intro = ("Une session dure deux jours consécutifs de 7 heures (R31). "
             + (f"Centre agréé : {own.name} ({own.agrement})." if own else ""))
    fields = ["day1", "day2", "capacity", "driving_sequence"]
    return render_template(
        "ui/form_page.html", form=form, heading="Créer une session de stage", intro=intro,
        action=url_for("ui.session_new"), submit="Créer la session",
        back_url=url_for("ui.session_list"),
        groups=[("Session", fields if own else ["centre", *fields])],
        choices={"centre": _centre_choices()},
        attrs={"centre": {"placeholder": "Choisir un centre"}},
        crumbs=[("Sessions de stage", url_for("ui.session_list")),
                ("Nouvelle session", None)]), status


# ---- the session page: trainees, enrolment, attendance ----------------------------------------

def _session_for_user(session_id: int, *options):
    return centre_access.session_for(current_user(), session_id, *options)


@pages.route("/sessions/<int:session_id>")
@login_required("agent", "centre")
def session_page(session_id: int):
    return render_session(session_id)


def render_session(session_id: int, values: dict | None = None, errors: dict | None = None,
                   message: str | None = None, status: int = 200, enrol: Form | None = None,
                   **extra):
    session = _session_for_user(session_id, *session_view.SESSION_TRAINEES)
    enrolled = sessions.active_enrollments(session)
    today = clock().today()
    user = current_user()
    can_record = session.status == "planned" and enrolled and today >= session.day2
    can_enrol = session.status == "planned" and len(enrolled) < session.capacity
    waiting = (session_view.waiting_cases() if can_enrol and user.role != "centre" else [])
    view = sessions.view(session)
    late = sessions.attendance_late(session, today)
    flags = [f for f in view["flags"] if not (late and f == sessions.late_flag(session))]
    return render_template(
        "ui/session.html", session=session, view=view, flags=flags, enrolled=enrolled,
        # seats taken: the trainees enrolled, or whose attendance is recorded (a held session)
        seated=sum(1 for e in session.enrollments if e.status != "cancelled"),
        late=late,
        can_record=can_record, can_enrol=can_enrol, waiting=waiting,
        can_unenrol=sessions.unenrolment_open(session, today),
        enrol=enrol or Form(_enrol_form(user)), values=values or {}, errors=errors or {},
        message=message, attendance=ATTENDANCE, **extra), status


def _enrolments_suspended(detail: str, wait: int):
    """The session's page again, the suspension said on the enrolment's field (429)."""
    spec = _enrol_form(current_user())
    page = render_session(request.view_args["session_id"], status=429,
                          enrol=Form.rejected(spec, request.form, {"case": [detail]}))
    response = make_response(page)
    response.headers["Retry-After"] = str(wait)
    return response


@pages.route("/sessions/<int:session_id>/inscription", methods=["POST"])
@login_required("agent", "centre")
@enrolment_refusals_throttled(_enrolments_suspended)
def session_enroll(session_id: int):
    _session_for_user(session_id)
    user = current_user()
    spec = _enrol_form(user)
    try:
        term = spec.load(CaseTermSchema, request.form)["case"]
        session = _session_for_user(session_id)
        if centre_access.is_centre(user):  # by licence number only, as the API's centre
            case = cases.enroll_licence(session, term, user, field="case")
        else:
            case = cases.enroll(session_view.find_case_to_enrol(term), session_id, user)
        message = enrolled_message(case, session)
    except (Invalid, Conflict) as exc:
        errors = {"case": [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]}
        return render_session(session_id, status=exc.status,
                              enrol=Form.rejected(spec, request.form, errors))
    flash(message, "success")
    return redirect(url_for("ui.session_page", session_id=session_id) + "#stagiaires")


@pages.route("/sessions/<int:session_id>/presence", methods=["POST"])
@login_required("agent", "centre")
def record_attendance(session_id: int):
    session = _session_for_user(session_id)
    if confirm.going_back(request.form):  # « Modifier »: the grid again, the choices kept
        return render_session(session_id, dict(request.form))
    enrolled = sessions.active_enrollments(session)
    records, errors = [], {}
    allowed = {v for v, _ in ATTENDANCE}
    for enr in enrolled:
        rec = {"licence": enr.case.licence.number}
        for day in ("day1", "day2"):
            value = request.form.get(f"{day}-{enr.id}", "")
            if value not in allowed:
                errors[f"{day}-{enr.id}"] = ["Indiquez présent, absent ou en retard."]
            rec[day] = value
        records.append(rec)
    if errors:
        return render_session(session_id, dict(request.form), errors,
                              "La feuille de présence est incomplète.", 422)
    scope = f"session:{session_id}"
    try:
        if not confirm.confirmed(scope, records, request.form):
            # checked as the command would be, then summed up: nothing is recorded, and no
            # attestation issued, before « Confirmer la présence »
            sessions.check_attendance(_session_for_user(session_id), records, current_user())
            return render_session(session_id, dict(request.form), confirmation=_summary(
                session_id, enrolled, records, confirm.token(scope, records),
                bool(request.form.get(confirm.FIELD))))
        sessions.record_attendance(_session_for_user(session_id), records, current_user())
    except (Invalid, Conflict) as exc:
        return render_session(session_id, dict(request.form), {}, exc.detail, exc.status)
    flash("Présence enregistrée : les attestations des stagiaires présents les deux jours "
          "sont délivrées.", "success")
    return redirect(url_for("ui.session_page", session_id=session_id))


def _summary(session_id: int, enrolled, records: list[dict], token: str, again: bool) -> dict:
    """The grid's confirmation: its choices sent again, hidden, with the token."""
    fields = [(f"{day}-{e.id}", rec[day]) for e, rec in zip(enrolled, records, strict=True)
              for day in ("day1", "day2")]
    return attendance_summary([e.case.licence.holder_name for e in enrolled], records,
                              fields, token,
                              url_for("ui.record_attendance", session_id=session_id),
                              again=again)


def attendance_summary(names: list[str], records: list[dict], fields: list[tuple[str, str]],
                       token: str, action: str, back: str = "Modifier", again: bool = False,
                       file: str | None = None) -> dict:
    """What confirming a sheet does (R34), for the session page's confirmation (the grid's or
    an uploaded file's): who gets an attestation, who does not and why (`names`: record i's
    trainee); the form that confirms it: `action`, its hidden `fields` and `token`, the other
    button's label `back`; `file`: the uploaded file's name."""
    label = dict(ATTENDANCE)
    issued, without = [], []
    for name, (rec, ok) in zip(names, sessions.attestations_of(records), strict=True):
        if ok:
            issued.append(name)
        else:
            days = [f"jour {n} : {label[rec[day]].lower()}" for n, day in ((1, "day1"),
                                                                            (2, "day2"))
                    if rec[day] != "present"]
            without.append(f"{name} ({', '.join(days)})")
    return {"issued": issued, "without": without, "fields": fields, "token": token,
            "again": again, "action": action, "back": back, "file": file}


# ---- cancel (R36) -------------------------------------------------------------------------------

@pages.route("/sessions/<int:session_id>/annulation", methods=["GET", "POST"])
@login_required("agent", "centre")
def session_cancel(session_id: int):
    session = _session_for_user(session_id)
    if session.status != "planned":
        done = {"held": "tenue", "cancelled": "annulée"}[session.status]
        flash(f"La session n° {session.id} est déjà {done} : elle ne peut plus être annulée.",
              "error")
        return redirect(url_for("ui.session_page", session_id=session_id))
    form, status = Form(CANCEL_FORM, {"on": clock().today().isoformat()}), 200
    if request.method == "POST":
        try:
            data = CANCEL_FORM.load(CancelSchema, request.form)
            back = len(sessions.active_enrollments(session))
            sessions.cancel(_session_for_user(session_id), data, current_user())
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(CANCEL_FORM, request.form, exc), exc.status
        else:
            flash(f"Session n° {session_id} annulée. " + (
                f"{back} dossier{'s' if back > 1 else ''} revien{'nent' if back > 1 else 't'} "
                "en attente d'inscription ; l'échéance ne change pas (R36)." if back else
                "Aucun dossier n'y était inscrit."), "success")
            return redirect(url_for("ui.session_page", session_id=session_id))
    enrolled = sessions.active_enrollments(session)
    intro = (f"Session n° {session.id} — {session.centre.name}, les {session.day1:%d/%m/%Y} et "
             f"{session.day2:%d/%m/%Y}. Les stagiaires doivent être prévenus au moins un mois "
             "à l'avance, sauf force majeure (R36). "
             + (f"{len(enrolled)} dossier{'s' if len(enrolled) > 1 else ''} inscrit"
                f"{'s' if len(enrolled) > 1 else ''} reviendr{'ont' if len(enrolled) > 1 else 'a'}"
                " en attente d'inscription, sans report de leur échéance."
                if enrolled else "Aucun stagiaire n'est inscrit."))
    return render_template(
        "ui/form_page.html", form=form, heading="Annuler la session", intro=intro,
        action=url_for("ui.session_cancel", session_id=session_id),
        submit="Annuler la session", back_label="Retour à la session",
        back_url=url_for("ui.session_page", session_id=session_id),
        groups=[("Annulation", ["on", "reason"])],
        crumbs=[("Sessions de stage", url_for("ui.session_list")),
                (f"Session n° {session.id}", url_for("ui.session_page", session_id=session_id)),
                ("Annulation", None)]), status


# ---- un-enrol one trainee (LD16) -----------------------------------------------------------------

@pages.route("/sessions/<int:session_id>/desinscription/<int:case_id>", methods=["GET", "POST"])
@login_required("agent", "centre")
def session_unenrol(session_id: int, case_id: int):
    """The confirmation of an un-enrolment, with its reason: the trainee's seat is freed and
    the case goes back to waiting for an enrolment, its deadline unchanged."""
    session = _session_for_user(session_id)
    enr = sessions.enrolment_of(session, case_id)  # 404 when not a trainee of the session
    # from the case page (`retour=dossier`, a clerk's): back to it; otherwise to the session's
    from_case = request.args.get("retour") == "dossier" and current_user().role != "centre"
    page = (url_for("ui.case_page", case_id=case_id) if from_case
            else url_for("ui.session_page", session_id=session_id) + "#stagiaires")
    holder = enr.case.licence.holder_name
    closed = _unenrolment_closed(session, enr)
    if request.method == "GET" and closed:
        flash(f"{holder} ne peut pas être désinscrit de la session n° {session.id} : {closed}.",
              "error")
        return redirect(page)
    form, status = Form(UNENROL_FORM), 200
    if request.method == "POST":
        try:
            reason = UNENROL_FORM.load(UnenrolmentSchema, request.form)["reason"]
            sessions.unenrol(_session_for_user(session_id), case_id, reason, current_user())
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(UNENROL_FORM, request.form, exc), exc.status
        else:
            flash(f"{holder} est désinscrit de la session n° {session_id} : sa place est "
                  "libérée et son dossier revient en attente d'inscription ; l'échéance ne "
                  "change pas (LD16).", "success")
            return redirect(page)
    case = enr.case
    intro = (f"{holder}, permis n° {case.licence.number}, dossier {case.reference} — session "
             f"n° {session.id}, {session.centre.name}, les {session.day1:%d/%m/%Y} et "
             f"{session.day2:%d/%m/%Y}. Sa place sera libérée et son dossier reviendra en "
             "attente d'inscription, sans report de son échéance (R36, décision LD16).")
    return render_template(
        "ui/form_page.html", form=form, heading="Désinscrire un stagiaire", intro=intro,
        action=url_for("ui.session_unenrol", session_id=session_id, case_id=case_id,
                       **({"retour": "dossier"} if from_case else {})),
        submit="Désinscrire le stagiaire",
        back_label="Retour au dossier" if from_case else "Retour à la session",
        back_url=page, groups=[("Désinscription", ["reason"])],
        crumbs=[("Sessions de stage", url_for("ui.session_list")),
                (f"Session n° {session.id}", url_for("ui.session_page", session_id=session_id)),
                ("Désinscription", None)]), status


def _unenrolment_closed(session, enr) -> str | None:
    """Why the trainee can no longer be un-enrolled (the page's words), or None."""
    if session.status != "planned":
        return f"la session est {SESSION_STATUS_LABELS[session.status].lower()}"
    if not sessions.unenrolment_open(session):
        return f"la session a commencé le {session.day1:%d/%m/%Y} (décision LD16)"
    if enr.status != "enrolled":
        return "son inscription est déjà annulée"
    return None
