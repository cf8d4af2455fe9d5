"""A recomputed outcome waiting for a clerk (issue 16) through the API: the case's
`pending_change`, and POST /cases/{id}/pending-change/accept|dismiss with every error path
(unknown case, nothing pending, a replaced proposal, a bad motif, roles, centres, and two
clerks accepting at once: exactly one wins)."""

from __future__ import annotations

import threading

import pytest

from services import replay
from services.db import db
from services.models import Case
from tests.integration.test_journey_rules_replay import refused_at_review

ACCEPT = "/api/v1/cases/{}/pending-change/accept"
DISMISS = "/api/v1/cases/{}/pending-change/dismiss"


@pytest.fixture
def proposed(app, api):
    """A case whose stored outcome the rules no longer give, with the replay's proposal."""
    case = refused_at_review(api)
    with app.app_context():
        row = db.session.get(Case, case["id"])
        row.obligation = "met"
        row.refund = {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
        db.session.commit()
        list(replay.replay_all("rules-replay", False, "rejeu"))
        db.session.remove()
    case = api.case(case["id"])
    assert case["pending_change"] is not None
    return case


def problem(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.get_json())
    body = resp.get_json()
    assert resp.mimetype == "application/problem+json" and body["detail"]
    return body


def test_pending_change_field_documented_in_the_openapi(api):
    doc = api.ok(api.get("/api/v1/openapi.json"))
    case = doc["components"]["schemas"]["Case"]["properties"]
    assert "pending_change" in case
    assert "/api/v1/cases/{case_id}/pending-change/accept" in doc["paths"]
    assert "/api/v1/cases/{case_id}/pending-change/dismiss" in doc["paths"]


def test_accept_without_body_applies_the_pending_change(api, proposed):
    body = api.ok(api.post(ACCEPT.format(proposed["id"]), {}, as_="agent"))
    assert body["pending_change"] is None and body["outcome"]["obligation"] == "pending"


def test_dismiss_keeps_the_outcome_and_records_the_motif(api, proposed):
    body = api.ok(api.post(DISMISS.format(proposed["id"]),
                           {"motif": "Demande déjà instruite", "proposal":
                            proposed["pending_change"]["id"]}, as_="agent"))
    assert body["pending_change"] is None and body["outcome"]["obligation"] == "met"
    events = api.ok(api.get(f"/api/v1/cases/{proposed['id']}/events", per_page=100))["items"]
    assert [e["detail"]["motif"] for e in events if e["type"] == "changement_ecarte"] == [
        "Demande déjà instruite"]


def test_unknown_case_404(api, proposed):
    for path, body in ((ACCEPT, {}), (DISMISS, {"motif": "x"})):
        problem(api.post(path.format(999999), body, as_="agent"), 404)


def test_nothing_pending_409_with_a_french_message(api, proposed):
    api.ok(api.post(ACCEPT.format(proposed["id"]), {}, as_="agent"))
    for path, body in ((ACCEPT, {}), (DISMISS, {"motif": "x"})):
        assert "Aucun changement de résultat" in problem(
            api.post(path.format(proposed["id"]), body, as_="agent"), 409)["detail"]


def test_a_replaced_proposal_409_and_nothing_changes(api, proposed):
    stale = proposed["pending_change"]["id"] + 1000
    body = problem(api.post(ACCEPT.format(proposed["id"]), {"proposal": stale}, as_="agent"), 409)
    assert "remplacée" in body["detail"]
    assert api.case(proposed["id"])["outcome"]["obligation"] == "met"


def test_dismiss_needs_a_motif_422(api, proposed):
    for body in ({}, {"motif": ""}, {"motif": "x" * 501}, {"motif": "   "}):
        resp = api.post(DISMISS.format(proposed["id"]), body, as_="agent")
        assert problem(resp, 422)["errors"].get("motif"), body
    assert problem(api.post(ACCEPT.format(proposed["id"]), {"proposal": "1"}, as_="agent"), 422)
    assert api.case(proposed["id"])["pending_change"] is not None


@pytest.mark.parametrize("role", ["designer", "centre75", "centre93"])
def test_other_roles_403_and_nothing_changes(api, proposed, role):
    for path, body in ((ACCEPT, {}), (DISMISS, {"motif": "x"})):
        problem(api.post(path.format(proposed["id"]), body, as_=role), 403)
        problem(api.post(path.format(999999), body, as_=role), 403)  # a centre learns nothing
    assert api.case(proposed["id"])["pending_change"] is not None


def test_unauthenticated_401(api, proposed):
    problem(api.post(ACCEPT.format(proposed["id"]), {}, as_=None), 401)


def test_two_clerks_accept_at_once_exactly_one_wins(api, app, proposed):
    barrier = threading.Barrier(2)
    results = {}

    def accept(who):
        client = app.test_client()
        barrier.wait()
        resp = client.post(ACCEPT.format(proposed["id"]), json={},
                           headers={"Authorization": f"Bearer {api.tokens[who]}"})
        results[who] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=accept, args=(who,)) for who in ("agent", "agent2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in results.values()) == [200, 409], results
    loser = next(body for code, body in results.values() if code == 409)
    assert "Aucun changement de résultat" in loser["detail"]
    events = api.ok(api.get(f"/api/v1/cases/{proposed['id']}/events", per_page=100))["items"]
    assert sum(e["type"] == "resultat_recalcule" for e in events) == 1
