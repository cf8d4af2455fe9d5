"""A user task a designer draws that the contract does not name (issue 14's reproduction: the
shipped voluntary process with "Appeler le conducteur" before the course). It must never take a
clerk's page down: the task is listed with its name, shown on the case page, claimed and
completed like the contract's tasks; without a form of its own it is a confirmation (no field,
and any field sent is refused with 422, nothing stored)."""

from __future__ import annotations

import pytest

from tests.designer_support import VOLONTAIRE, xml_headers
from tests.ui_support import UiClient, text

CALL = (b'<bpmn:userTask id="appeler_conducteur" name="Appeler le conducteur">'
        b'<bpmn:incoming>f_t_01</bpmn:incoming><bpmn:outgoing>f_appel</bpmn:outgoing>'
        b'</bpmn:userTask>'
        b'<bpmn:sequenceFlow id="f_appel" sourceRef="appeler_conducteur" '
        b'targetRef="parcours_stage" />')


LANE = (b'<bpmn:laneSet id="couloirs"><bpmn:lane id="accueil" name="Accueil">'
        b'<bpmn:flowNodeRef>appeler_conducteur</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
REMINDER = (b'<bpmn:boundaryEvent id="relance" name="Relance" attachedToRef="appeler_conducteur" '
            b'cancelActivity="false"><bpmn:outgoing>f_relance</bpmn:outgoing>'
            b'<bpmn:timerEventDefinition><bpmn:timeDuration>"P15D"</bpmn:timeDuration>'
            b'</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
            b'<bpmn:endEvent id="relance_faite"><bpmn:incoming>f_relance</bpmn:incoming>'
            b'</bpmn:endEvent>'
            b'<bpmn:sequenceFlow id="f_relance" sourceRef="relance" targetRef="relance_faite" />')
VARIANTS = {"tache": b"", "couloir": LANE, "relance": REMINDER}


def with_a_call_first(xml: bytes = VOLONTAIRE, extra: bytes = b"") -> bytes:
    if extra.startswith(b"<bpmn:laneSet"):  # first in the process, after its documentation
        head, tail = xml.split(b'isExecutable="true">', 1)
        doc, rest = tail.split(b"</bpmn:documentation>", 1)
        xml = head + b'isExecutable="true">' + doc + b"</bpmn:documentation>" + extra + rest
        extra = b""
    xml = xml.replace(b'<bpmn:sequenceFlow id="f_t_01" sourceRef="demande_stage_volontaire" '
                      b'targetRef="parcours_stage" />',
                      b'<bpmn:sequenceFlow id="f_t_01" sourceRef="demande_stage_volontaire" '
                      b'targetRef="appeler_conducteur" />' + CALL + extra, 1)
    return xml.replace(b"<bpmn:incoming>f_t_01</bpmn:incoming>",
                       b"<bpmn:incoming>f_appel</bpmn:incoming>", 1)


@pytest.fixture(params=sorted(VARIANTS))
def waiting(api, request):
    """A voluntary case waiting at the designer's task: alone, in a lane, with a reminder."""
    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=with_a_call_first(extra=VARIANTS[request.param]),
                       headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    return api, case


def voluntary_case_with_a_reminder(api) -> dict:
    """A voluntary case opened on 02/03/2026 on a version whose first task, « Appeler le
    conducteur », has a reminder (REMINDER)."""
    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=with_a_call_first(extra=REMINDER), headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    return api.voluntary_case("120175200123")


def test_a_reminder_fires_and_the_task_stays_to_do(api):
    case = voluntary_case_with_a_reminder(api)
    api.set_today("20/03/2026")
    assert api.run_timers() == 1
    assert api.task(case["id"], "appeler_conducteur")["title"] == "Appeler le conducteur"
    assert api.ok(api.get("/api/v1/tasks"))["total"] >= 1


def test_the_designers_task_is_listed_with_its_name_and_a_confirmation_form(waiting):
    api, case = waiting
    items = api.ok(api.get("/api/v1/tasks"))["items"]
    task = next(t for t in items if t["key"] == "appeler_conducteur")
    assert task["title"] == "Appeler le conducteur" and task["case"] == case["id"]
    assert task["form"]["properties"] == {} and task["form"]["additionalProperties"] is False
    assert api.ok(api.get("/api/v1/tasks", case=case["id"]))["items"][0]["key"] == (
        "appeler_conducteur")


def test_the_designers_task_is_claimed_and_completed_and_the_journey_goes_on(waiting):
    api, case = waiting
    task = api.task(case["id"], "appeler_conducteur")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"note": "x"}},
                       as_="agent")
    assert refused.status_code == 422
    assert api.case(case["id"])["status"] != "en_attente_inscription"  # nothing stored
    done = api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent"))
    assert done["status"] == "en_attente_inscription"
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert any(e["type"] == "tache_terminee" and e["detail"].get("task") == "appeler_conducteur"
               for e in events)


def test_the_case_page_and_the_task_list_page_show_the_designers_task(waiting):
    api, case = waiting
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}")
    assert page.status_code == 200 and "Appeler le conducteur" in text(page)
    listing = ui.get("/ui/taches")
    assert listing.status_code == 200 and "Appeler le conducteur" in text(listing)
    task = api.task(case["id"], "appeler_conducteur")
    ui.post(f"/ui/taches/{task['id']}/prendre")
    done = ui.post(f"/ui/dossiers/{case['id']}/taches/{task['id']}", {})
    assert done.status_code == 302, text(done)[:500]
    assert api.case(case["id"])["status"] == "en_attente_inscription"
