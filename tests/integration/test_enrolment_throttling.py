"""A licence number is no probe (docs/security.md, « Un numéro de permis n'est pas une
sonde »): a centre's refused enrolments by licence number are counted per centre, every user
of the centre together; past ENROLMENT_REFUSALS_PER_CENTRE the centre's enrolments by licence
wait for the window's end (429, Retry-After, in French), on the API as on the session's page;
a successful enrolment costs nothing, and neither another centre nor the prefecture's clerks
are held back."""

from __future__ import annotations

import pytest

from services import users
from services.db import transaction
from tests.api_errors_support import CENTRE, OTHER_CENTRE, assert_problem, unchanged
from tests.ui_support import UiClient, field_errors, text

WAITING = ("120175200501", "120175200502")
UNKNOWN = [f"99999999{i:04d}" for i in range(10)]
LIMIT = 3


@pytest.fixture
def world(api):
    api.app.config["ENROLMENT_REFUSALS_PER_CENTRE"] = f"{LIMIT} per hour"
    api.set_today("02/03/2026")
    cases = {}
    for number in WAITING:
        api.licence(number)
        inf = api.infraction(number, "01/02/2026", points=3)
        cases[number] = api.mandatory_case(number, inf["id"], "02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    return api, session, cases


def _enrol(api, session, number, as_="centre75"):
    return api.post(f"/api/v1/sessions/{session['id']}/enrollment", {"licence": number},
                    as_=as_)


def _assert_suspended(resp) -> dict:
    problem = assert_problem(resp, 429)
    assert 0 < int(resp.headers["Retry-After"]) <= 3600
    assert "Trop d'inscriptions refusées pour votre centre" in problem["detail"]
    assert "Nouvel essai possible dans" in problem["detail"]
    return problem


def test_past_the_limit_a_centres_enrolments_by_licence_are_suspended(world):
    api, session, cases = world
    for number in UNKNOWN[:LIMIT]:
        assert_problem(_enrol(api, session, number), 422, "licence")
    with unchanged():
        # even the right number waits: the suspension is the centre's, not the licence's
        _assert_suspended(_enrol(api, session, WAITING[0]))
        _assert_suspended(_enrol(api, session, UNKNOWN[LIMIT]))
    assert api.case(cases[WAITING[0]]["id"])["status"] == "en_attente_inscription"


def test_a_successful_enrolment_costs_nothing(world):
    api, session, _cases = world
    for number in UNKNOWN[:LIMIT - 1]:
        assert_problem(_enrol(api, session, number), 422, "licence")
    api.ok(_enrol(api, session, WAITING[0]))
    # counted, the success would have spent the last refusal the window allows
    assert_problem(_enrol(api, session, UNKNOWN[LIMIT]), 422, "licence")
    _assert_suspended(_enrol(api, session, WAITING[1]))


def test_the_users_of_one_centre_share_its_count(world):
    api, session, _cases = world
    with transaction():
        users.create("centre75b", "centre", "motdepasse-test", CENTRE)
    with transaction():
        api.tokens["centre75b"] = users.new_token(users.get_by_name("centre75b"))
    for i, number in enumerate(UNKNOWN[:LIMIT]):
        assert_problem(_enrol(api, session, number, as_=("centre75", "centre75b")[i % 2]), 422)
    _assert_suspended(_enrol(api, session, WAITING[0], as_="centre75b"))


def test_neither_another_centre_nor_a_clerk_is_held_back(world):
    api, session, cases = world
    for number in UNKNOWN[:LIMIT]:
        assert_problem(_enrol(api, session, number), 422, "licence")
    _assert_suspended(_enrol(api, session, WAITING[0]))
    other = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE, fill=0)
    assert_problem(_enrol(api, other, UNKNOWN[0], as_="centre93"), 422, "licence")
    for number in UNKNOWN[:LIMIT + 1]:  # the prefecture is never throttled
        assert_problem(_enrol(api, session, number, as_="agent"), 422, "licence")
    api.ok(_enrol(api, session, WAITING[0], as_="agent"))
    assert api.case(cases[WAITING[0]]["id"])["status"] == "inscrit"


def test_the_session_page_says_the_suspension_on_the_field(world):
    api, session, cases = world
    centre = UiClient(api.app)
    centre.login("centre75", "motdepasse-test")
    path = f"/ui/sessions/{session['id']}/inscription"
    for number in UNKNOWN[:LIMIT]:
        assert centre.post(path, {"case": number}).status_code == 422
    with unchanged():
        resp = centre.post(path, {"case": WAITING[0]})
    assert resp.status_code == 429 and resp.mimetype == "text/html"
    assert 0 < int(resp.headers["Retry-After"]) <= 3600
    message = " ".join(field_errors(resp)["case"])
    assert "Trop d'inscriptions refusées pour votre centre" in message
    assert "la préfecture peut inscrire" in message
    assert "Centre Paris 11" in text(resp)  # the session's page, not a bare error page
    assert api.case(cases[WAITING[0]]["id"])["status"] == "en_attente_inscription"
    # the API shares the centre's count
    _assert_suspended(_enrol(api, session, WAITING[0]))
    agent = UiClient(api.app)
    agent.login("agent", "motdepasse-test")
    assert agent.post(path, {"case": WAITING[0]}).status_code == 302
