"""Usernames, centre names and agrément numbers are checked where they are made (R23 for the
agrément): a blank or odd name never becomes a user or a centre."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from services.db import db
from services.models import Centre, User
from tests.api_errors_support import assert_problem
from tests.helpers import OTHER_CENTRE
from tests.ui_support import UiClient, text

BODY = {"name": "Centre Marseille", "departement": "13", "valid_until": "2030-12-31"}


@pytest.mark.parametrize("username", ["", " ", "a", "Agent", "jean dupont", "é", "_x", ".x",
                                      "x" * 41, "qa;rm", "qa\tx"])
def test_a_bad_username_is_refused_and_gets_no_token(api, app, username):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", username, "--role", "agent",
                                 "--password-stdin"], input="motdepasse-qa\n")
    assert result.exit_code == 1, result.output
    assert "Erreur : Nom d'utilisateur invalide" in result.output
    assert "lettres minuscules sans accent" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(User)) == 6  # the bootstrap's


@pytest.mark.parametrize("username", ["qa", "jean.dupont", "agent_07", "c-13", "x" * 40])
def test_a_sensible_username_is_accepted(api, app, username):
    result = app.test_cli_runner().invoke(args=["users", "create", username, "--role", "agent",
                                                "--password-stdin"], input="motdepasse-qa\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("agrement", ["bad", "R240130003", "R24013000300", "r2401300030",
                                      "R2400000030", "R2409600030", "R2497700030", "X2401300030",
                                      " R2401300030"])
def test_a_malformed_agrement_is_a_field_error(api, agrement):
    resp = api.post("/api/v1/centres", {**BODY, "agrement": agrement}, as_="agent")
    body = assert_problem(resp, 422, "agrement")
    assert "Numéro d'agrément invalide" in body["errors"]["agrement"][0]
    assert "R2407500010" in body["errors"]["agrement"][0]
    assert db.session.scalar(select(func.count()).select_from(Centre)) == 2


@pytest.mark.parametrize("agrement", ["R2401300031", "R2402A00001", "R1997100123"])
def test_a_well_formed_agrement_is_accepted(api, agrement):
    api.ok(api.post("/api/v1/centres", {**BODY, "agrement": agrement}, as_="agent"), 201)


@pytest.mark.parametrize("name", ["   ", "\t\n"])
def test_a_blank_centre_name_is_refused_on_creation_and_change(api, name):
    assert_problem(api.post("/api/v1/centres", {**BODY, "agrement": "R2401300031", "name": name},
                            as_="agent"), 422, "name")
    assert_problem(api.request("PATCH", f"/api/v1/centres/{OTHER_CENTRE}", {"name": name},
                               as_="agent"), 422, "name")
    assert api.ok(api.get(f"/api/v1/centres/{OTHER_CENTRE}", as_="agent"))["name"] == (
        "Centre Bobigny")


def test_a_centre_name_is_stored_trimmed(api):
    made = api.ok(api.post("/api/v1/centres", {**BODY, "agrement": "R2401300031",
                                               "name": "  Centre Marseille  "}, as_="agent"), 201)
    assert made["name"] == "Centre Marseille"
    changed = api.ok(api.request("PATCH", "/api/v1/centres/R2401300031", {"name": " Stages "},
                                 as_="agent"))
    assert changed["name"] == "Stages"


def test_the_centre_form_says_which_field_is_wrong(api):
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.post("/ui/centres/nouveau", {**BODY, "agrement": "bad"})
    assert page.status_code == 422
    assert "Numéro d'agrément invalide" in html.unescape(text(page))
