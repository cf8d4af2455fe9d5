"""Approved centres, for clerks (R23): the list, registering a centre, a centre's page where its
record is changed (name, département, email, agrément's end) with the history of its changes.
The same service and checks as the API's /api/v1/centres (services/centres.py).

A centre's operators see their own centre's record, read-only (« Mon centre »): the prefecture
keeps it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from marshmallow import fields

from services import centre_access, centres
from services.errors import Conflict, Invalid, NotFound
from web.api.schemas import DEPARTEMENT, CentrePatchSchema, CentreSchema, length
from web.auth import current_user
from web.ui.formdata import Field, Form, FormSpec
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

EMAIL_HINT = ("Où les processus envoient les messages destinés au centre (action « Notifier le "
              "centre ») ; laissez vide s'il n'en a pas.")
VALID_HINT = ("Dernier jour couvert par l'agrément préfectoral (R23) : une session ne peut se "
              "tenir après. Elle ne peut précéder le second jour d'une session prévue.")
RECORD_FIELDS = (
    Field("name", "Nom du centre", "text", True, max_length=200),
    Field("departement", "Département", "text", True,
          hint="Numéro du département du lieu des stages (ex. : 75, 2A, 974)."),
    Field("valid_until", "Fin de validité de l'agrément", "date", True, hint=VALID_HINT),
    Field("email", "Adresse électronique", "text", hint=EMAIL_HINT, max_length=254),
)
NEW_FORM = FormSpec(Field("agrement", "Numéro d'agrément", "text", True, max_length=30,
                          hint="Tel que l'arrêté préfectoral le donne (ex. : R2407500010) ; il "
                               "ne pourra plus être changé."), *RECORD_FIELDS)
EDIT_FORM = FormSpec(*RECORD_FIELDS)
FIELD_LABELS = {f.name: f.label for f in RECORD_FIELDS} | {"agrement": "Numéro d'agrément"}


class CentreFormSchema(CentrePatchSchema):
    """The page's form sends every field: an emptied required one is an error, not "unchanged"
    as an absent field of the API's PATCH is."""

    name = fields.String(required=True, validate=length(1, 200))
    departement = fields.String(required=True, validate=DEPARTEMENT)
    valid_until = fields.Date(required=True)


def _values(centre) -> dict:
    return {"name": centre.name, "departement": centre.departement,
            "valid_until": centre.valid_until.isoformat(), "email": centre.email or ""}


@pages.route("/centres")
@login_required("agent")
def centre_list():
    return render_template("ui/centres.html", items=centres.list_centres())


@pages.route("/centres/nouveau", methods=["GET", "POST"])
@login_required("agent")
def centre_new():
    form, status = Form(NEW_FORM), 200
    if request.method == "POST":
        try:
            data = NEW_FORM.load(CentreSchema, request.form)
            centre = centres.create(data, current_user().username)
        except (Invalid, Conflict) as exc:
            field = "agrement" if isinstance(exc, Conflict) else "_schema"
            form, status = Form.refused(NEW_FORM, request.form, exc, field), exc.status
        else:
            flash(f"Centre « {centre.name} » enregistré.", "success")
            return redirect(url_for("ui.centre_page", agrement=centre.agrement))
    return render_template(
        "ui/form_page.html", form=form, heading="Enregistrer un centre agréé",
        intro="Un centre organise des stages sous l'agrément du préfet du département (R23).",
        action=url_for("ui.centre_new"), submit="Enregistrer le centre",
        back_url=url_for("ui.centre_list"),
        groups=[("Centre", ["agrement", "name", "departement", "valid_until", "email"])],
        crumbs=[("Centres agréés", url_for("ui.centre_list")),
                ("Nouveau centre", None)]), status


@pages.route("/centres/<agrement>", methods=["GET", "POST"])
@login_required("agent")
def centre_page(agrement: str):
    centre = centre_access.centre_for(current_user(), agrement)  # 404: an unknown one
    form, status = Form(EDIT_FORM, _values(centre)), 200
    if request.method == "POST":
        try:
            data = EDIT_FORM.load(CentreFormSchema, request.form)
            data.setdefault("email", None)  # an emptied field removes the address
            centres.update(agrement, data, current_user().username)
        except (Invalid, NotFound) as exc:
            form, status = Form.refused(EDIT_FORM, request.form, exc), exc.status
        else:
            flash("Centre modifié.", "success")
            return redirect(url_for("ui.centre_page", agrement=agrement))
    return render_template("ui/centre.html", centre=centre, form=form,
                           history=centres.history(centre), labels=FIELD_LABELS), status


@pages.route("/mon-centre")
@login_required("centre")
def my_centre():
    """The operator's own centre, as the prefecture recorded it; an account attached to no
    centre (an admin, or a centre account whose centre was taken away) is told so."""
    return render_template("ui/my_centre.html", centre=current_user().centre)
