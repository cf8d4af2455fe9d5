"""Opening a case refuses what cannot be (a clerks' QA pass): a 48N sent before the retrait it
notifies was decided (R10), a voluntary case for a licence without any retrait of points (R29),
and a second open voluntary case on one licence (a form sent twice), exactly one winning when
two requests race."""

from __future__ import annotations

import threading

from services.db import db
from services.models import Case
from tests.api_errors_support import assert_problem, unchanged
from tests.ui_support import UiClient, text

NUM = "120175200501"


def _cases() -> int:
    return db.session.query(Case).count()


def test_R10_a_48n_sent_before_the_retrait_was_decided_is_refused(api):
    api.set_today("20/03/2026")
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026", decision="10/02/2026")
    body = {"kind": "obligatoire", "licence": NUM, "infraction": inf["id"],
            "letter_48n": {"sent_on": "2026-02-05", "receipt": "signed",
                           "received_on": "2026-02-09"}}
    with unchanged():
        problem = assert_problem(api.post("/api/v1/cases", body), 422, "letter_48n.sent_on")
    assert "10/02/2026" in problem["errors"]["letter_48n.sent_on"][0]
    # sent on the day of the decision: accepted
    body["letter_48n"] |= {"sent_on": "2026-02-10", "received_on": "2026-02-14"}
    api.ok(api.post("/api/v1/cases", body), 201)


def test_a_second_open_voluntary_case_on_a_licence_is_a_409_naming_the_first(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none", points=8, on="01/01/2026")
    first = api.voluntary_case(NUM)
    before = _cases()
    problem = assert_problem(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}),
                             409)
    assert first["reference"] in problem["detail"]
    assert _cases() == before


def test_a_voluntary_case_may_be_opened_again_once_the_first_is_closed(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none", points=8, on="01/01/2026")
    first = api.voluntary_case(NUM)
    with db.session.begin():
        db.session.get(Case, first["id"]).closed = True
    db.session.remove()
    api.voluntary_case(NUM)


def test_two_racing_voluntary_requests_open_exactly_one_case(api, app):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none", points=8, on="01/01/2026")
    token = api.tokens["agent"]
    codes, barrier = [], threading.Barrier(2)

    def request():
        with app.test_client() as client:
            barrier.wait()
            resp = client.post("/api/v1/cases", json={"kind": "volontaire", "licence": NUM},
                               headers={"Authorization": f"Bearer {token}"})
            codes.append(resp.status_code)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [201, 409]
    assert db.session.query(Case).filter(Case.kind == "volontaire").count() == 1


def test_R29_a_voluntary_case_without_any_retrait_is_refused(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none")
    with unchanged():
        problem = assert_problem(api.post("/api/v1/cases", {"kind": "volontaire",
                                                            "licence": NUM}), 422, "licence")
    assert "R29" in problem["detail"] and "aucun retrait" in problem["errors"]["licence"][0]
    api.infraction(NUM, "01/02/2026", points=1)
    api.voluntary_case(NUM)


def test_R29_an_imported_balance_below_twelve_shows_an_earlier_retrait(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none", points=11, on="01/01/2026")
    api.voluntary_case(NUM)


def test_R29_the_licence_page_says_why_the_voluntary_case_is_refused(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none")
    ui = UiClient(api.app)
    ui.login("agent")
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/stage-volontaire")
    assert resp.status_code == 422
    assert "R29 : aucun retrait de points n&#39;est connu pour ce permis" in text(resp)
