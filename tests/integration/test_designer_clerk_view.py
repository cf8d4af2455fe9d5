"""What a clerk sees comes from the diagram (issue 14, items 6 and 7; docs/process-bundle.md):
the status label a case shows where it waits, a task's due date, and reminders drawn as
non-interrupting boundary timers on a user task."""

from __future__ import annotations

import html
import re

from tests.designer_support import VERIFY_LABEL, VOLONTAIRE, xml_headers
from tests.integration.test_designer_user_tasks import REMINDER, with_a_call_first
from tests.ui_support import UiClient, text

MARKS = (b'<bpmn:extensionElements><camunda:properties>'
         b'<camunda:property name="statut" value="Conducteur \xc3\xa0 appeler" />'
         b'<camunda:property name="code_statut" value="a_appeler" />'
         b'</camunda:properties></bpmn:extensionElements>')


def _call_task(xml: bytes, *, marks: bytes = b"", due: str | None = None) -> bytes:
    head = b'<bpmn:userTask id="appeler_conducteur" name="Appeler le conducteur"'
    if due:
        head += b' camunda:dueDate="' + due.encode() + b'"'
    return xml.replace(b'<bpmn:userTask id="appeler_conducteur" name="Appeler le conducteur">',
                       head + b">" + marks, 1)


def _deploy(api, xml: bytes) -> None:
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=xml, headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]


def _case(api):
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    return api.voluntary_case("120175200123")


def test_the_status_label_and_code_come_from_the_element_the_case_waits_at(api):
    api.set_today("02/03/2026")
    _deploy(api, _call_task(with_a_call_first(), marks=MARKS))
    case = api.case(_case(api)["id"])
    assert (case["status"], case["status_label"]) == ("a_appeler", "Conducteur à appeler")
    task = api.task(case["id"], "appeler_conducteur")
    done = api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent"))
    # the shipped diagram labels its own waiting points
    assert (done["status"], done["status_label"]) == ("en_attente_inscription",
                                                      "En attente d'inscription")


def test_an_element_without_a_label_shows_its_name(api):
    api.set_today("02/03/2026")
    _deploy(api, with_a_call_first())
    case = api.case(_case(api)["id"])
    assert (case["status"], case["status_label"]) == ("appeler_conducteur",
                                                      "Appeler le conducteur")
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}")
    assert page.status_code == 200 and "Appeler le conducteur" in text(page)
    listed = ui.get("/ui/recherche", q="120175200123")
    assert listed.status_code == 200 and "Appeler le conducteur" in text(listed)


def test_a_version_whose_diagram_names_no_status_keeps_the_services_statuses(api):
    """A version deployed before statuses were drawn (no `statut` anywhere)."""
    api.set_today("02/03/2026")
    legacy = re.sub(rb"<bpmn:extensionElements>\s*<camunda:properties>.*?"
                    rb"</camunda:properties>\s*</bpmn:extensionElements>\s*", b"", VOLONTAIRE,
                    flags=re.S)
    assert b'name="statut"' not in legacy
    _deploy(api, legacy)
    case = api.case(_case(api)["id"])
    assert (case["status"], case["status_label"]) == ("en_attente_inscription",
                                                      "En attente d'inscription")


def test_a_task_is_due_as_its_diagram_says(api):
    api.set_today("02/03/2026")
    _deploy(api, _call_task(with_a_call_first(), due="P15D"))
    case = _case(api)
    task = api.task(case["id"], "appeler_conducteur")
    assert task["due_on"] == "2026-03-17"


def test_a_task_due_by_the_rules_credit_date_without_a_course_has_no_due_date(api):
    api.set_today("02/03/2026")
    _deploy(api, _call_task(with_a_call_first(), due="echeance_credit"))
    task = api.task(_case(api)["id"], "appeler_conducteur")
    assert task["due_on"] is None


def test_a_reminder_flags_the_task_and_the_case_and_the_history_says_it(api):
    api.set_today("02/03/2026")
    _deploy(api, with_a_call_first(extra=REMINDER))
    case = _case(api)
    task = api.task(case["id"], "appeler_conducteur")
    assert task["reminders"] == 0 and task["reminded_at"] is None
    api.set_today("18/03/2026")
    assert api.run_timers() == 1
    task = api.task(case["id"], "appeler_conducteur")
    assert task["reminders"] == 1 and task["reminded_at"][:10] in ("2026-03-17", "2026-03-18")
    seen = api.case(case["id"])
    assert {"rule": "relance",
            "message": "Relance : la tâche « Appeler le conducteur » attend encore "
                       "(1 relance)."} in seen["flags"]
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert any(e["type"] == "relance" and e["detail"] == {"task": "appeler_conducteur",
                                                          "timer": "relance"} for e in events)
    ui = UiClient(api.app)
    ui.login("agent")
    page = html.unescape(text(ui.get(f"/ui/dossiers/{case['id']}")))
    assert "Relance d'une tâche" in page  # the history
    assert "la tâche « Appeler le conducteur » attend encore (1 relance)" in page  # the flags
    assert "Relancée" in text(ui.get("/ui/taches"))  # the task list
    assert "Relancée" in text(ui.get("/ui/tableau-de-bord"))  # the unassigned tasks
    # done: the flag goes with the task
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent"))
    assert not [f for f in api.case(case["id"])["flags"] if f["rule"] == "relance"]


ESCALATION = REMINDER.replace(
    b'cancelActivity="false">',
    b'cancelActivity="false"><bpmn:extensionElements><camunda:properties>'
    b'<camunda:property name="groupe" value="controle" /></camunda:properties>'
    b'</bpmn:extensionElements>')


def test_a_reminder_naming_a_group_hands_the_task_to_that_group(api):
    api.set_today("02/03/2026")
    refused = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                          raw=with_a_call_first(extra=ESCALATION), headers=xml_headers())
    assert refused.status_code == 422
    assert "la relance « Relance » nomme le groupe « controle », qui n'existe pas" in str(
        refused.get_json()["errors"])
    api.ok(api.post("/api/v1/groups", {"code": "controle", "name": "Contrôle"}), 201)
    _deploy(api, with_a_call_first(extra=ESCALATION))
    case = _case(api)
    task = api.task(case["id"], "appeler_conducteur")
    assert task["group"] is None
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    api.set_today("18/03/2026")
    assert api.run_timers() == 1
    task = api.task(case["id"], "appeler_conducteur")
    assert (task["group"], task["group_name"], task["assignee"]) == ("controle", "Contrôle", None)
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert any(e["type"] == "relance" and e["detail"].get("group") == "controle" for e in events)
    # the agent is not in the group any more than before: the task is no longer theirs to take
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent").status_code == 403


def test_a_waiting_point_named_longer_than_a_status_is_refused_at_upload(api):
    """Deployed, its task could not be stored when a case reached it (a 500 on PostgreSQL)."""
    name = "Contrôler " + "l'attestation " * 10
    xml = VOLONTAIRE.replace(VERIFY_LABEL, f'name="{name}"'.encode())
    assert xml != VOLONTAIRE
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=xml, headers=xml_headers())
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["verification_attestation"] == [
        f"nom trop long : {len(name)} caractères (maximum 120) ; les agents le lisent comme "
        "statut du dossier et titre de sa tâche (ligne 94)"]
