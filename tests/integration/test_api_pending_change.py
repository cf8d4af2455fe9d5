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


# ---- the pages: the case page's section, its two POST forms (CSRF), the task list ----------

def _ui(app, who="agent"):
    from tests.ui_support import UiClient

    client = UiClient(app)
    client.login(who)
    return client


def test_ui_case_page_shows_the_change_and_accept_applies_it(app, api, proposed):
    from tests.ui_support import flashes, text

    ui = _ui(app)
    page = text(ui.get(f"/ui/dossiers/{proposed['id']}"))
    assert "Changement de résultat à valider" in page
    assert "obligation : remplie → en attente (stage refusé, R19)" in page
    tasks_page = text(ui.get("/ui/taches"))
    assert "Changements de résultat à valider : 1 dossier" in tasks_page
    assert proposed["reference"] in tasks_page

    refused = ui.post(f"/ui/dossiers/{proposed['id']}/changement/valider",
                      {"proposal": proposed["pending_change"]["id"]}, csrf=False)
    assert refused.status_code == 400  # no CSRF token: nothing done
    assert api.case(proposed["id"])["pending_change"] is not None

    done = ui.post(f"/ui/dossiers/{proposed['id']}/changement/valider",
                   {"proposal": proposed["pending_change"]["id"]})
    assert done.status_code == 302
    after = ui.get(f"/ui/dossiers/{proposed['id']}")
    assert "Changement de résultat validé : il s'applique au dossier." in flashes(after)
    assert "Changement de résultat à valider" not in text(after)
    assert api.case(proposed["id"])["outcome"]["obligation"] == "pending"
    assert "Changements de résultat à valider" not in text(ui.get("/ui/taches"))

    again = ui.post(f"/ui/dossiers/{proposed['id']}/changement/valider", {})
    assert again.status_code == 302  # told on the case page, nothing applied twice
    assert "Aucun changement de résultat" in text(ui.get(f"/ui/dossiers/{proposed['id']}"))


def test_ui_dismiss_needs_a_motif_then_keeps_the_outcome(app, api, proposed):
    from tests.ui_support import field_errors, flashes

    ui = _ui(app)
    path = f"/ui/dossiers/{proposed['id']}/changement/ecarter"
    resp = ui.post(path, {"motif": "", "proposal": proposed["pending_change"]["id"]})
    assert resp.status_code == 422
    assert field_errors(resp)["motif"] == ["Champ obligatoire."]
    assert api.case(proposed["id"])["pending_change"] is not None

    done = ui.post(path, {"motif": "Déjà instruit", "proposal": proposed["pending_change"]["id"]})
    assert done.status_code == 302
    assert "Changement de résultat écarté" in " ".join(
        flashes(ui.get(f"/ui/dossiers/{proposed['id']}")))
    case = api.case(proposed["id"])
    assert case["pending_change"] is None and case["outcome"]["obligation"] == "met"


def test_ui_other_roles_cannot_post_the_forms(app, api, proposed):
    ui = _ui(app, "designer")
    for action in ("valider", "ecarter"):
        resp = ui.post(f"/ui/dossiers/{proposed['id']}/changement/{action}", {"motif": "x"})
        assert resp.status_code == 403
    assert api.case(proposed["id"])["pending_change"] is not None
