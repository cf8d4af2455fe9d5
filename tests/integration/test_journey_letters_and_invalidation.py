"""48N receipts (D11, R15) and invalidation (R6, R42, Q8) through the HTTP API: the status
codes and problem documents of the refusals, and the 48SI call. The receipt variants and the
invalidation's journey run on the services in tests/service/test_letters_and_invalidation.py."""

from __future__ import annotations

import pytest

NUM = "120175200300"


def licence_with_infraction(api, points=3):
    api.licence(NUM, obtained="01/09/2025")
    return api.infraction(NUM, "01/02/2026", points=points)


def test_D11_R15_refused_48n_cases_are_422_problems(api):
    inf = licence_with_infraction(api)
    api.set_today("20/03/2026")
    resp = api.post("/api/v1/cases", {"kind": "obligatoire", "licence": NUM,
                                      "infraction": inf["id"],
                                      "letter_48n": {"sent_on": "2026-03-05", "receipt": "npai",
                                                     "received_on": "2026-03-10"}})
    assert resp.status_code == 422
    assert resp.content_type == "application/problem+json"
    assert "letter_48n.received_on" in resp.get_json()["errors"]

    two_points = api.infraction(NUM, "02/02/2026", points=2)
    assert two_points["triggers_48n"] is False
    resp = api.post("/api/v1/cases", {"kind": "obligatoire", "licence": NUM,
                                      "infraction": two_points["id"],
                                      "letter_48n": {"sent_on": "2026-03-05",
                                                     "receipt": "signed",
                                                     "received_on": "2026-03-10"}})
    assert resp.status_code == 422
    assert "R15" in resp.get_json()["detail"]
    assert api.ok(api.get("/api/v1/cases"))["total"] == 0


def test_R42_Q8_invalidation_notified_before_the_course(api):
    inf = licence_with_infraction(api)
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    api.set_today("01/04/2026")
    resp = api.post(f"/api/v1/licences/{NUM}/invalidation",
                    {"decision_on": "2026-03-25", "notified_on": "2026-04-01"})
    assert resp.status_code == 201
    assert {"id", "decision_on", "notified_on"} <= set(resp.get_json())
    assert resp.get_json()["notified_on"] == "2026-04-01"
    case = api.case(case["id"])
    assert [t["key"] for t in case["tasks"]] == ["examen_manuel"]
    assert case["outcome"]["obligation"] == "manual_review"
    resp = api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]})
    assert resp.status_code == 409 and "R42" in resp.get_json()["detail"]
    licence = api.ok(api.get(f"/api/v1/licences/{NUM}"))
    assert licence["valid"] is False
    case = api.complete(case["id"], "examen_manuel", decision="refuser",
                        motif="Permis invalidé avant tout stage")
    assert case["closed"] is True
    # a new case cannot be opened on an invalid licence (R42)
    resp = api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM})
    assert resp.status_code == 422 and "R42" in resp.get_json()["detail"]


def _invalidated_before_any_course(api):
    inf = licence_with_infraction(api)
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")
    api.set_today("01/04/2026")
    api.ok(api.post(f"/api/v1/licences/{NUM}/invalidation",
                    {"decision_on": "2026-03-25", "notified_on": "2026-04-01"}), 201)
    return case


def test_Q8_a_review_without_a_course_refuses_crediting_or_a_refund_in_french(api):
    """A QA finding: « Créditer » and « Remboursement accordé » on the review of a 48SI with no
    attested course closed the case with nothing applied. They are a 422 now, nothing done."""
    from tests.api_errors_support import assert_problem, unchanged

    case = _invalidated_before_any_course(api)
    task = api.task(case["id"], "examen_manuel")
    with unchanged():
        problem = assert_problem(api.post(
            f"/api/v1/tasks/{task['id']}/complete",
            {"data": {"decision": "crediter", "motif": "", "obligation": "remplie",
                      "remboursement": "accorde"}}, as_="agent"),
            422, "data.decision", "data.remboursement")
    assert "Aucun stage attesté" in problem["detail"]
    assert api.case(case["id"])["tasks"][0]["key"] == "examen_manuel"


@pytest.mark.parametrize(("choice", "obligation"), [("remplie", "met"),
                                                    ("non_remplie", "not_met")])
def test_Q8_a_review_without_a_course_records_the_obligation_it_decides(api, choice,
                                                                        obligation):
    case = _invalidated_before_any_course(api)
    done = api.complete(case["id"], "examen_manuel", decision="refuser",
                        motif="Permis invalidé avant tout stage", obligation=choice,
                        remboursement="refuse")
    assert done["closed"] is True and done["outcome"]["obligation"] == obligation
