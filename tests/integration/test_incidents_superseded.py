"""A QA finding: a clerk's failed task left an open incident that stopped every timer of the
case (its reminder, and it would have been the 4-month deadline, R21) until someone resolved it
by hand, although the clerk's retry had succeeded; and the case page said nothing. Now:
- the timer sweep skips an instance only for an incident the sweep itself raised;
- a later success of the same command on the case resolves the incident automatically
  (by whom, when, a case event);
- the case page shows an open incident in French;
- a failed opening names its licence, and a later opening for that licence resolves it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.clock import PARIS
from services.db import db
from services.models import HumanTask
from tests.api_errors_support import assert_problem
from tests.integration.test_incidents import (
    OBLIGATOIRE,
    RUNAWAY,
    TIMER,
    deploy,
    incidents_in_db,
    with_script,
)
from tests.integration.test_journey_mandatory import NUM, open_case
from tests.ui_support import UiClient

# the referral's script fails (IndexError) when the clerk's motif is « boom »
FAILS_ON_BOOM = with_script(OBLIGATOIRE, "enregistrer_signalement(decision, motif)",
                            'x = [][0] if motif == "boom" else 0')


@pytest.fixture
def failed_referral(api):
    """A case at the referral task (R21) whose clerk's first completion was an incident."""
    deploy(api, "stage_obligatoire", FAILS_ON_BOOM)
    case = open_case(api)
    api.set_today("11/07/2026")  # the day after the deadline (D1): the referral task (R21)
    api.run_timers()
    task = api.task(case["id"], "signalement_parquet")
    body = assert_problem(api.post(f"/api/v1/tasks/{task['id']}/complete",
                                   {"data": {"decision": "signaler", "motif": "boom"}},
                                   as_="agent"), 409)
    return {"case": case, "task": task, "incident": body["incident"]}


def _reminders(case_id: int) -> int:
    db.session.rollback()
    row = db.session.scalar(select(HumanTask).where(HumanTask.case_id == case_id,
                                                    HumanTask.key == "signalement_parquet"))
    db.session.rollback()
    return row.reminders or 0


def test_R21_a_clerks_failed_task_does_not_stop_the_cases_timers(api, failed_referral):
    case = failed_referral["case"]
    api.set_today("19/07/2026")  # the reminder of the referral task is due (P7D)
    assert api.run_timers() == 1
    assert _reminders(case["id"]) == 1
    [incident] = incidents_in_db()
    assert incident.resolved is False  # still open: the clerk's command has not succeeded yet


def test_a_later_success_of_the_same_task_resolves_its_incident_automatically(api,
                                                                              failed_referral):
    case, number = failed_referral["case"], failed_referral["incident"]
    api.set_today("12/07/2026")
    api.complete(case["id"], "signalement_parquet", decision="signaler", motif="délai dépassé")
    [incident] = incidents_in_db()
    assert incident.id == number and incident.resolved is True
    assert incident.resolved_by == "agent (automatique)"
    assert incident.resolved_at == dt.datetime(2026, 7, 12, tzinfo=PARIS)
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    resolved = [e for e in events if e["type"] == "incident_resolu"]
    assert len(resolved) == 1 and resolved[0]["actor"] == "agent"
    assert resolved[0]["detail"]["incident"] == number
    assert "automatiquement" in resolved[0]["detail"]["message"]


def test_another_command_does_not_resolve_the_incident(api, failed_referral):
    api.set_today("19/07/2026")
    assert api.run_timers() == 1  # the reminder: another command
    assert [i.resolved for i in incidents_in_db()] == [False]


def test_the_case_page_tells_the_clerk_of_an_open_incident(api, failed_referral):
    case, number = failed_referral["case"], failed_referral["incident"]
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True)
    assert "Incident technique en cours sur ce dossier" in page
    assert f"Incident n° {number}" in page
    assert "sur la tâche « Décider du signalement au parquet »" in page
    assert "clos automatiquement" in page and "suspendues" not in page

    api.complete(case["id"], "signalement_parquet", decision="signaler", motif="délai dépassé")
    page = ui.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True)
    assert "Incident technique en cours" not in page


def test_a_timer_incident_still_stops_the_sweep_and_the_page_says_so(api):
    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["list_that_feeds_itself"]))
    case = open_case(api)
    api.set_today("15/07/2026")
    assert api.run_timers() == 0
    assert api.run_timers() == 0  # skipped: counted once
    [incident] = incidents_in_db()
    assert (incident.command, incident.occurrences, incident.resolved) == ("minuterie", 1, False)
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True)
    assert "Les échéances et relances automatiques de ce dossier sont suspendues" in page


def test_a_failed_opening_names_its_licence_and_a_later_opening_resolves_it(api):
    runaway = (b'(dossier["echeance_timer"] if len(\'a\' * (1000000 * 10000)) else None)'
               b"</bpmn:timeDate>")
    deploy(api, "stage_obligatoire", OBLIGATOIRE.replace(TIMER, runaway))
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    opening = {"kind": "obligatoire", "licence": NUM, "infraction": inf["id"],
               "letter_48n": {"sent_on": "2026-03-07", "receipt": "signed",
                              "received_on": "2026-03-10"}}
    assert_problem(api.post("/api/v1/cases", opening), 409)
    [incident] = incidents_in_db()
    assert incident.case_id is None
    assert incident.command == f"ouverture du dossier obligatoire (permis {NUM})"

    deploy(api, "stage_obligatoire", OBLIGATOIRE + b"\n")  # the designer's fix
    api.ok(api.post("/api/v1/cases", opening), 201)
    [incident] = incidents_in_db()
    assert incident.resolved is True and incident.resolved_by == "admin (automatique)"


def _incident_reads(statements) -> int:
    return sum(n for text, n in statements.items() if text.startswith("SELECT incidents."))


def test_a_command_on_a_case_without_an_open_incident_reads_no_incident(api):
    """The case's open incidents are told by the instance's lock (journey.lock_instance): a
    command on a case with none, nearly every command, looks for none to supersede; a case
    with one still has it resolved (above)."""
    from tests.query_count import counted

    case = api.case_at_referral("120175200901")
    with counted() as statements:
        api.complete(case["id"], "signalement_parquet", decision="signaler", motif="délai")
    assert _incident_reads(statements) == 0, statements


def test_a_command_on_a_case_with_an_open_incident_reads_it(api, failed_referral):
    from tests.query_count import counted

    api.set_today("12/07/2026")
    with counted() as statements:
        api.complete(failed_referral["case"]["id"], "signalement_parquet",
                     decision="signaler", motif="délai dépassé")
    assert _incident_reads(statements) == 1, statements
