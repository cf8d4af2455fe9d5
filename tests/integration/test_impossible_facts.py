"""Impossible facts are 422 with French field errors, every one at once, and nothing written
(QA pass: dates of licences and infractions; R5's amounts), through the API and the clerks'
forms alike."""

from __future__ import annotations

import pytest

from tests.api_errors_support import assert_problem, unchanged
from tests.ui_support import UiClient, field_errors, summary

NUM = "120175200123"
LICENCE = {"number": NUM, "holder": {"last_name": "Martin", "first_name": "Léa",
                                     "birth_date": "2004-05-02"},
           "obtained_on": "2025-09-01", "probation": "classic"}


def infraction(**kw) -> dict:
    body = {"label": "Excès de vitesse", "offence_class": "C4", "points": 3,
            "committed_on": "2026-02-01", "decision_on": "2026-02-10",
            "established_on": "2026-02-01",
            "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": "2026-02-01"}}
    return {**body, **kw}


@pytest.fixture
def today(api):
    api.set_today("02/03/2026")


@pytest.fixture
def ui(api, today):
    client = UiClient(api.app)
    client.login("agent")
    return client


def post_infraction(api, body):
    return api.post(f"/api/v1/licences/{NUM}/infractions", body)


def test_licence_obtained_in_the_future_is_422_on_obtained_on(api, today):
    with unchanged():
        resp = api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2026-03-03"})
    body = assert_problem(resp, 422, "obtained_on")
    assert "futur" in body["errors"]["obtained_on"][0]


def test_licence_the_clocks_today_is_accepted(api, today):
    api.ok(api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2026-03-02"}), 201)


def test_licence_every_date_error_at_once(api, today):
    body = {**LICENCE, "obtained_on": "2026-06-01", "formation_complementaire": True,
            "probation": "none", "holder": {**LICENCE["holder"], "birth_date": "2026-07-01"},
            "balance": {"points": 8, "on": "2026-05-01"}}
    with unchanged():
        resp = api.post("/api/v1/licences", body)
    problem = assert_problem(resp, 422, "obtained_on", "holder.birth_date",
                             "formation_complementaire", "balance.on")
    assert problem["detail"].startswith("4 erreurs")


def test_infraction_before_the_licence_or_in_the_future_is_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(committed_on="2025-08-31",
                                               established_on=None, fine=None))
    assert "01/09/2025" in assert_problem(resp, 422, "committed_on")["errors"]["committed_on"][0]
    with unchanged():
        resp = post_infraction(api, infraction(committed_on="2026-03-03",
                                               decision_on="2026-03-03",
                                               established_on=None, fine=None))
    assert assert_problem(resp, 422, "committed_on")["errors"] == {
        "committed_on": ["La date de l'infraction ne peut être dans le futur "
                         "(aujourd'hui : 02/03/2026)."]}


def test_fine_paid_before_the_infraction_and_every_error_at_once(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(
            committed_on="2026-02-01", decision_on="2026-01-20", established_on="2026-01-25",
            fine={"amount": 135, "kind": "forfaitaire", "paid_on": "2026-01-31"}))
    assert_problem(resp, 422, "decision_on", "established_on", "fine.paid_on")
    api.ok(post_infraction(api, infraction()), 201)


def test_R5_a_delit_withdraws_six_points(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(offence_class="delit", points=4))
    assert "R5" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    with unchanged():
        resp = post_infraction(api, infraction(points=7))
    assert "R5" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    api.ok(post_infraction(api, infraction(offence_class="delit", points=6)), 201)


def test_R5_simultaneous_infractions_cumulate_within_eight_points(api, today):
    api.ok(api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2020-01-01",
                                         "probation": "none"}), 201)
    api.ok(post_infraction(api, infraction(offence_class="delit", points=6)), 201)
    with unchanged():
        resp = post_infraction(api, infraction(points=3))
    assert "au plus 2" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    api.ok(post_infraction(api, infraction(points=2)), 201)
    api.ok(post_infraction(api, infraction(points=3, committed_on="2026-02-02",
                                           established_on="2026-02-02",
                                           fine=None)), 201)


def test_licence_form_shows_every_date_error_on_its_field(api, ui):
    form = {"number": NUM, "holder.last_name": "Martin", "holder.first_name": "Léa",
            "holder.birth_date": "2026-07-01", "obtained_on": "2026-06-01",
            "probation": "classic"}
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", form)
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == {"obtained_on", "holder-birth_date"}
    assert "futur" in errors["obtained_on"][0]
    assert len(summary(resp)) == 2


def test_infraction_form_shows_every_date_error_on_its_field(api, ui):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    form = {"label": "Excès de vitesse", "offence_class": "delit", "points": "4",
            "committed_on": "2026-03-05", "decision_on": "2026-03-05",
            "fine.amount": "135", "fine.kind": "forfaitaire", "fine.paid_on": "2026-03-04"}
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/infraction", form)
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == {"committed_on", "fine-paid_on", "points"}
    assert "avant l'infraction" in errors["fine-paid_on"][0]
    assert "futur" in errors["committed_on"][0]
    assert "R5" in errors["points"][0]
