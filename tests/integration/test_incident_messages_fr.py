"""A QA finding: people read Python's English — the clerk's 409 and the case history said
« (IndexError) : list index out of range », the history's event type was the raw « incident ».
Now a clerk gets a French sentence (the incident's number, nothing changed, designers and admins
told); designers and admins get the technical detail after a French explanation of its kind."""

from __future__ import annotations

from tests.api_errors_support import assert_problem
from tests.integration.test_incidents import deploy, incidents_in_db
from tests.integration.test_incidents_superseded import FAILS_ON_BOOM
from tests.integration.test_journey_mandatory import open_case
from tests.ui_support import UiClient, text

ENGLISH = ("IndexError", "list index", "out of range")


def _at_referral(api) -> dict:
    deploy(api, "stage_obligatoire", FAILS_ON_BOOM)
    case = open_case(api)
    api.set_today("11/07/2026")  # the day after the deadline (D1): the referral task (R21)
    api.run_timers()
    return case


def _fail(api, case, as_):
    task = api.task(case["id"], "signalement_parquet")
    return assert_problem(api.post(f"/api/v1/tasks/{task['id']}/complete",
                                   {"data": {"decision": "signaler", "motif": "boom"}},
                                   as_=as_), 409)


def test_a_clerk_reads_a_french_sentence_without_the_designers_error(api):
    case = _at_referral(api)
    body = _fail(api, case, "agent")
    number = body["incident"]
    assert body["title"] == "Incident de processus" and body["element"]  # the API's fields
    assert body["detail"].startswith(f"Incident n° {number} : le processus n'a pas pu")
    assert "Rien n'a été modifié" in body["detail"]
    assert "concepteurs et les administrateurs en sont informés" in body["detail"]
    assert not any(word in body["detail"] for word in ENGLISH)

    # the case's history: a French label and sentence, no English (API and page)
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    [event] = [e for e in events if e["type"] == "incident"]
    assert not any(word in event["detail"]["message"] for word in ENGLISH)
    assert "la tâche « Décider du signalement au parquet »" in event["detail"]["message"]
    ui = UiClient(api.app)
    ui.login("agent")
    page = text(ui.get(f"/ui/dossiers/{case['id']}"))
    assert "Incident technique" in page
    assert not any(word in page for word in ENGLISH)


def test_designers_and_admins_read_the_error_explained_in_french(api):
    case = _at_referral(api)
    body = _fail(api, case, "admin")  # an admin's own call: the technical detail
    assert "indice hors limites" in body["detail"]
    assert "(IndexError) : list index out of range" in body["detail"]
    [incident] = incidents_in_db()
    assert incident.message.startswith("erreur d'exécution du processus : indice hors limites")
    seen = api.ok(api.get(f"/api/v1/incidents/{incident.id}", as_="designer"))
    assert seen["message"] == incident.message  # the incident's documented fields, unchanged
    ui = UiClient(api.app)
    ui.login("designer")
    page = text(ui.get("/ui/incidents"))
    assert "indice hors limites" in page and "list index out of range" in page
