"""Users, for admins: the list (searchable, paged), creating a user, a user's page with its
role, password, deactivation / reactivation and a new API token, each recorded in the admins'
journal under the admin's username. The same service functions, rules and journal entries as
the command line's `flask users …` (services/users.py).

Secrets: a password typed in a form is never written back into a page (a refused form shows its
password fields empty), and a generated password or a new API token is shown once, in the
answer to the POST that made it: never in a flash message (the session cookie is signed, not
encrypted), a redirection or a later page. Only their hashes are stored.

Destructive actions (a new role or password, a deactivation) each have a page of their own that
says what they end (sessions, tokens) before anything is done; a deactivation's form sends
`confirmation=oui`, and a POST without it only shows that page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import admin_log, centres, groups, users
from services.errors import Conflict, Invalid, ServiceError
from web.auth import current_user
from web.labels import ROLE_LABELS
from web.ui.admin_journal_pages import changes
from web.ui.formdata import Field, Form, FormSpec
from web.ui.listing import PER_PAGE, choice_arg, int_arg, page_numbers, past_the_end
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

ROLE_CHOICES = (("agent", "Agent de la préfecture"), ("admin", "Administrateur"),
                ("designer", "Concepteur de processus"), ("centre", "Centre agréé"))
ROLES_SHOWN = {"tous": "Tous les rôles", **{code: label for code, label in ROLE_CHOICES}}
STATES = {"tous": "Tous", "actifs": "Actifs", "desactives": "Désactivés"}
GENERATED, TYPED = "genere", "saisi"
SECRET_FIELDS = ("password", "password_confirmation")  # never sent back into a page

PASSWORD_FIELDS = (
    Field("password_mode", "Mot de passe", "choice", True, widget="radio", choices=(
        (GENERATED, "Générer un mot de passe (affiché une seule fois)"),
        (TYPED, "Saisir un mot de passe"))),
    Field("password", "Nouveau mot de passe",
          hint=f"Si vous le saisissez : au moins {users.MIN_PASSWORD} caractères."),
    Field("password_confirmation", "Confirmation du mot de passe",
          hint="Le même, une seconde fois."),
)
CENTRE_FIELD = Field("centre", "Centre agréé", "choice", widget="select",
                     hint="Pour un utilisateur de centre seulement (obligatoire alors) : le "
                          "centre dont il gère les sessions ; aucun pour les autres rôles.")
ROLE_FIELD = Field("role", "Rôle", "choice", True, widget="radio", choices=ROLE_CHOICES)
NEW_FORM = FormSpec(
    Field("username", "Nom d'utilisateur", required=True, max_length=40,
          hint=f"Celui qu'il tapera pour se connecter : {users.USERNAME_RULE} ; il ne pourra "
               "plus être changé."),
    ROLE_FIELD, CENTRE_FIELD,
    Field("groups", "Groupes d'agents",
          hint="Pour un agent (ou un administrateur) : les couloirs BPMN dont il prend les "
               "tâches ; aucun pour un concepteur ou un centre."),
    *PASSWORD_FIELDS)
ROLE_FORM = FormSpec(ROLE_FIELD, CENTRE_FIELD)
PASSWORD_FORM = FormSpec(*PASSWORD_FIELDS)


def _actor() -> str:
    return current_user().username


def _centre_choices() -> list[tuple[str, str]]:
    return [(c.agrement, f"{c.name} ({c.agrement})") for c in centres.list_centres()]


def _typed_values() -> dict:
    """What the form sent, but the passwords."""
    return {k: request.form.get(k, "") for k in request.form
            if k not in SECRET_FIELDS and k != "csrf_token"}


def _refused(spec: FormSpec, exc: ServiceError, field: str = "_schema") -> Form:
    errors = exc.errors or {field: [exc.detail]}
    return Form(spec, _typed_values(), errors, submitted=True)


def _new_password() -> tuple[str, bool]:
    """The password the form asks for (generated or typed) and whether it was generated;
    Invalid naming the field when the typed one and its confirmation differ or the mode is
    missing. The service checks the password's rules."""
    mode = request.form.get("password_mode", "")
    if mode == GENERATED:
        return users.generate_password(), True
    if mode != TYPED:
        raise Invalid.field("password_mode", "Choisissez de générer ou de saisir le mot de "
                            "passe.")
    password = request.form.get("password", "")
    if password != request.form.get("password_confirmation", ""):
        raise Invalid.field("password_confirmation", "Les deux mots de passe saisis diffèrent.")
    return password, False


def _secret_page(user, heading: str, label: str, secret: str, what: str):
    """A generated password or a new API token, shown in this answer and never again."""
    return render_template("ui/user_secret.html", account=user, heading=heading, label=label,
                           secret=secret, what=what)


@pages.route("/utilisateurs")
@login_required("admin")
def user_list():
    text = request.args.get("q", "").strip()[:40]
    role = choice_arg("role", ROLES_SHOWN, "tous", "Rôle")
    state = choice_arg("etat", STATES, "tous", "État")
    page = int_arg("page")
    items, total = users.list_users(page, PER_PAGE, text, None if role == "tous" else role,
                                    {"tous": None, "actifs": True, "desactives": False}[state])
    if (back := past_the_end(page, total)) is not None:
        return back
    return render_template("ui/users.html", items=items, total=total, page=page,
                           pages=page_numbers(total), q=text, role=role, state=state,
                           roles=ROLES_SHOWN, states=STATES, role_labels=ROLE_LABELS,
                           filtered=bool(text) or role != "tous" or state != "tous")


ROLE_WARNING = ("Toutes ses sessions ouvertes prennent fin : il devra se reconnecter. Ses jetons "
                "d'API restent valables, avec le nouveau rôle. Devenu concepteur ou centre, il "
                "quitte ses groupes d'agents. Le dernier administrateur actif garde son rôle.")
PASSWORD_WARNING = ("L'ancien mot de passe ne vaut plus. Toutes ses sessions ouvertes prennent "
                    "fin et tous ses jetons d'API sont révoqués (un jeton se recrée depuis sa "
                    "page).")


def _form_page(form: Form, status: int, heading: str, sections: list, action: str, submit: str,
               crumbs: list, back_url: str, user=None, warning: str = ""):
    """A users' form (ui/user_form.html): a new user, a new role or a new password."""
    names = {name for _legend, fields in sections for name in fields}
    return render_template(
        "ui/user_form.html", form=form, heading=heading, sections=sections, action=action,
        submit=submit, back_url=back_url, warning=warning,
        crumbs=[("Utilisateurs", url_for("ui.user_list")), *crumbs],
        is_self=user is not None and user.id == current_user().id,
        centre_choices=_centre_choices() if "centre" in names else [],
        all_groups=groups.list_groups() if "groups" in names else [],
        chosen_groups=request.form.getlist("groups")), status


def _user_crumbs(user, last: str) -> list:
    return [(user.username, url_for("ui.user_page", username=user.username)), (last, None)]


def _new_page(form: Form, status: int = 200):
    return _form_page(form, status, "Créer un utilisateur",
                      [("Compte", ["username", "role", "centre", "groups"]),
                       ("Mot de passe initial", ["password"])],
                      url_for("ui.user_new"), "Créer l'utilisateur",
                      [("Nouvel utilisateur", None)], url_for("ui.user_list"))


def _role_page(user, form: Form, status: int = 200):
    return _form_page(form, status, f"Changer le rôle de « {user.username} »",
                      [("Nouveau rôle", ["role", "centre"])],
                      url_for("ui.user_role", username=user.username),
                      "Changer le rôle et mettre fin à ses sessions", _user_crumbs(user, "Rôle"),
                      url_for("ui.user_page", username=user.username), user, ROLE_WARNING)


def _password_page(user, form: Form, status: int = 200):
    return _form_page(form, status, f"Réinitialiser le mot de passe de « {user.username} »",
                      [("Nouveau mot de passe", ["password"])],
                      url_for("ui.user_password", username=user.username),
                      "Changer le mot de passe et révoquer ses accès",
                      _user_crumbs(user, "Mot de passe"),
                      url_for("ui.user_page", username=user.username), user, PASSWORD_WARNING)


@pages.route("/nouvel-utilisateur", methods=["GET", "POST"])
@login_required("admin")
def user_new():
    """Not under /utilisateurs/: « nouveau » is a possible username."""
    if request.method == "GET":
        return _new_page(Form(NEW_FORM, {"password_mode": GENERATED, "role": "agent"}))
    username = request.form.get("username", "").strip()
    try:
        password, generated = _new_password()
        user = users.create(username, request.form.get("role", ""), password,
                            request.form.get("centre") or None,
                            request.form.getlist("groups"), actor=_actor())
    except Invalid as exc:
        return _new_page(_refused(NEW_FORM, exc), exc.status)
    except Conflict as exc:
        return _new_page(_refused(NEW_FORM, exc, "username"), exc.status)
    if generated:
        return _secret_page(user, f"Utilisateur « {user.username} » créé",
                            "Mot de passe initial", password, "ce mot de passe")
    flash(f"Utilisateur « {user.username} » créé.", "success")
    return redirect(url_for("ui.user_page", username=user.username))


@pages.route("/utilisateurs/<username>")
@login_required("admin")
def user_page(username: str):
    user = users.get_by_name(username)  # 404: an unknown one
    sessions, tokens = users.access_counts(user)
    events, total = admin_log.list_events(1, PER_PAGE, subject=admin_log.user_subject(username))
    return render_template("ui/user.html", account=user, sessions=sessions, tokens=tokens,
                           events=events, events_total=total, labels=admin_log.LABELS,
                           changes=changes, role_labels=ROLE_LABELS,
                           is_self=user.id == current_user().id)


@pages.route("/utilisateurs/<username>/role", methods=["GET", "POST"])
@login_required("admin")
def user_role(username: str):
    user = users.get_by_name(username)
    form, status = Form(ROLE_FORM, {"role": user.role,
                                    "centre": user.centre.agrement if user.centre else ""}), 200
    if request.method == "POST":
        role = request.form.get("role", "")
        try:
            users.set_role(username, role, request.form.get("centre") or None, actor=_actor())
        except (Invalid, Conflict) as exc:
            form, status = _refused(ROLE_FORM, exc), exc.status
        else:
            flash(f"« {username} » a désormais le rôle « {ROLE_LABELS.get(role, role)} » ; ses "
                  "sessions ont pris fin.", "success")
            return redirect(url_for("ui.user_page", username=username))
    return _role_page(user, form, status)


@pages.route("/utilisateurs/<username>/mot-de-passe", methods=["GET", "POST"])
@login_required("admin")
def user_password(username: str):
    user = users.get_by_name(username)
    form, status = Form(PASSWORD_FORM, {"password_mode": GENERATED}), 200
    if request.method == "POST":
        try:
            password, generated = _new_password()
            users.set_password(username, password, actor=_actor())
        except Invalid as exc:
            form, status = _refused(PASSWORD_FORM, exc), exc.status
        else:
            if generated:
                return _secret_page(user, f"Nouveau mot de passe de « {username} »",
                                    "Nouveau mot de passe", password, "ce mot de passe")
            flash(f"Mot de passe de « {username} » changé ; ses sessions et ses jetons d'API "
                  "sont révoqués.", "success")
            return redirect(url_for("ui.user_page", username=username))
    return _password_page(user, form, status)


@pages.route("/utilisateurs/<username>/desactivation", methods=["GET", "POST"])
@login_required("admin")
def user_deactivate(username: str):
    user = users.get_by_name(username)
    error, status = None, 200
    if request.method == "POST" and request.form.get("confirmation") == "oui":
        try:
            users.set_active(username, False, actor=_actor())
        except Conflict as exc:
            error, status = exc.detail, exc.status
        else:
            flash(f"« {username} » est désactivé ; ses sessions et ses jetons d'API sont "
                  "révoqués.", "success")
            return redirect(url_for("ui.user_page", username=username))
    sessions, tokens = users.access_counts(user)
    return render_template("ui/user_deactivate.html", account=user, error=error,
                           sessions=sessions, tokens=tokens), status


@pages.route("/utilisateurs/<username>/reactivation", methods=["POST"])
@login_required("admin")
def user_activate(username: str):
    users.set_active(username, True, actor=_actor())
    flash(f"« {username} » est réactivé (sans jeton d'API : créez-en un s'il en a besoin).",
          "success")
    return redirect(url_for("ui.user_page", username=username))


@pages.route("/utilisateurs/<username>/jeton", methods=["POST"])
@login_required("admin")
def user_token(username: str):
    user = users.get_by_name(username)
    try:
        token = users.new_token(user, actor=_actor())
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("ui.user_page", username=username))
    return _secret_page(user, f"Jeton d'API de « {username} »", "Jeton d'API", token,
                        "ce jeton")
