"""Defects a clerk's working day found on the agents' pages (exploratory QA pass): each test names
what was wrong."""

from __future__ import annotations

import pytest

from tests.ui_support import UiClient, field_errors, summary


@pytest.fixture
def ui(api):
    client = UiClient(api.app)
    client.login("agent")
    return client


def attested_case(api, number: str = "120175200201") -> dict:
    """A mandatory case whose attestation was received: its verification task is open."""
    api.licence(number, obtained="01/09/2025")
    inf = api.infraction(number, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(number, inf["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "06/06/2026")
    return case


@pytest.mark.parametrize("key", ["verification_attestation", "signalement_parquet"])
def test_a_decision_left_unchosen_is_told_once_and_the_motif_is_not_asked_for(api, ui, key):
    """A clerk who sends a contract decision task's form without choosing was told « Décision :
    Champ obligatoire. » twice, and « Motif : Ne peut pas être vide. » as if refusing (the
    schema's « motif when refusing » clause applied when no decision was given)."""
    case = attested_case(api) if key == "verification_attestation" \
        else api.case_at_referral("120175200202")
    task = api.task(case["id"], key)
    resp = ui.post(f"/ui/dossiers/{case['id']}/taches/{task['id']}", {"motif": ""})
    assert resp.status_code == 422
    prefix = f"t{task['id']}"
    assert field_errors(resp) == {f"{prefix}-decision": ["Champ obligatoire."]}
    assert summary(resp) == ["Décision : Champ obligatoire."]
    # the API answers the same (one message, under data.decision only)
    body = api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent")
    assert body.status_code == 422
    assert body.get_json()["errors"] == {"data.decision": ["Champ obligatoire."]}
    # refusing still needs the motif
    resp = ui.post(f"/ui/dossiers/{case['id']}/taches/{task['id']}",
                   {"decision": "refuser" if key == "verification_attestation"
                    else "ne_pas_signaler", "motif": ""})
    assert field_errors(resp) == {f"{prefix}-motif": ["Ne peut pas être vide."]}
