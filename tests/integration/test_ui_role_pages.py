"""Defects of the centres', designers' and admins' pages found by an exploratory pass: each test
failed before its fix."""

from __future__ import annotations

import re

from tests.ui_support import UiClient, field_errors, text


def client(api, username):
    ui = UiClient(api.app)
    ui.login(username)
    return ui


# ---- a centre's new session past its agrément's end (R23) -------------------------------------

def test_a_centre_sees_its_agrement_ending_before_the_session_under_the_second_day(api):
    """A centre's form has no centre field: the agrément's refusal was put under it anyway, so
    it showed nowhere but in the summary, whose link (#centre) led nowhere; and an agrément still
    running was said to have « expiré »."""
    api.set_today("02/06/2030")  # the demo centres' agréments end on 31/12/2030
    centre = client(api, "centre75")
    resp = centre.post("/ui/sessions/nouvelle",
                       {"day1": "2031-01-13", "day2": "2031-01-14", "capacity": "12"})
    assert resp.status_code == 422
    body = text(resp)
    assert 'href="#centre"' not in body and 'id="centre"' not in body
    errors = field_errors(resp)
    assert list(errors) == ["day2"]
    assert errors["day2"] == ["L'agrément du centre prend fin le 31/12/2030, avant le second "
                              "jour de la session (R23)."]
    assert 'href="#day2"' in body
    assert api.ok(api.get("/api/v1/sessions"))["total"] == 0

    # a clerk picks the centre: the message stays under it
    agent = client(api, "agent")
    resp = agent.post("/ui/sessions/nouvelle", {"centre": "R2407500010", "day1": "2031-01-13",
                                                "day2": "2031-01-14", "capacity": "12"})
    assert list(field_errors(resp)) == ["centre"]
    assert "prend fin le 31/12/2030" in field_errors(resp)["centre"][0]

    api.set_today("06/01/2031")  # now it has expired
    resp = agent.post("/ui/sessions/nouvelle", {"centre": "R2407500010", "day1": "2031-01-13",
                                                "day2": "2031-01-14", "capacity": "12"})
    assert field_errors(resp)["centre"] == ["L'agrément du centre a expiré le 31/12/2030 (R23)."]
