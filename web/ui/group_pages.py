"""Clerks' groups, for admins (issue 14: lanes are clerk groups): the groups and their members,
creating a group, setting an agent's groups (services/groups.py; the same as the API's
/api/v1/groups and /api/v1/users/{username}/groups)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import groups
from services.errors import Conflict, Invalid, NotFound
from web.auth import current_user
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()


@pages.app_template_global("my_group_codes")
def my_group_codes() -> frozenset[str]:
    """The current user's group codes, read once per request (the task buttons of a page)."""
    codes = request.environ.get("app.my_group_codes")
    if codes is None:
        user = current_user()
        codes = request.environ["app.my_group_codes"] = (
            frozenset(groups.user_codes(user)) if user else frozenset())
    return codes


@pages.app_template_global("group_name")
def group_name(code: str | None) -> str | None:
    return groups.name_of(code)


def _page(values: dict | None = None, errors: dict | None = None, status: int = 200,
          renamed: dict | None = None):
    """`renamed`: a refused renaming ({code, name typed, errors}), shown in its row."""
    return render_template("ui/groups.html", items=groups.list_groups(),
                           people=groups.possible_members(), values=values or {},
                           errors=errors or {}, renamed=renamed), status


@pages.route("/groupes")
@login_required("admin")
def group_list():
    return _page()


@pages.route("/groupes", methods=["POST"])
@login_required("admin")
def group_create():
    values = {"code": request.form.get("code", "").strip(),
              "name": request.form.get("name", "").strip()}
    try:
        groups.create(values["code"], values["name"], actor=current_user().username)
    except Invalid as exc:
        return _page(values, exc.errors or {"code": [exc.detail]}, 422)
    except Conflict as exc:
        return _page(values, {"code": [exc.detail]}, 409)
    flash(f"Groupe « {values['code']} » créé.", "success")
    return redirect(url_for("ui.group_list"))


@pages.route("/groupes/<code>/nom", methods=["POST"])
@login_required("admin")
def group_rename(code: str):
    name = request.form.get("name", "")
    try:
        groups.rename(code, name, actor=current_user().username)
    except Invalid as exc:  # the name typed stays in its row, the message under it
        return _page(status=exc.status, renamed={"code": code, "name": name, "errors": [
            m for messages in (exc.errors or {"name": [exc.detail]}).values() for m in messages]})
    except NotFound as exc:
        flash(exc.detail, "error")
    else:
        flash(f"Groupe « {code} » renommé.", "success")
    return redirect(url_for("ui.group_list"))


@pages.route("/groupes/agents/<username>", methods=["POST"])
@login_required("admin")
def group_members(username: str):
    codes = request.form.getlist("groupes")
    try:
        groups.set_user_groups(username, codes, actor=current_user().username)
    except (Invalid, NotFound) as exc:
        flash(exc.detail, "error")
    else:
        flash(f"Groupes de « {username} » enregistrés : {', '.join(codes) or 'aucun'}.",
              "success")
    return redirect(url_for("ui.group_list") + "#agents")
