"""Migrating running cases to a new process version (SpiffWorkflow's diff): a compatible version
moves a case, an incompatible one (an element the case already went through changed) is refused
with French reasons and changes nothing; bulk migration moves each safe case in its own
transaction; a migration racing a clerk's completion never loses an update."""

from __future__ import annotations

import html
import re

from sqlalchemy import select, text

from services import journey, processes
from services.db import db, transaction
from services.design import case_migration
from services.errors import Conflict
from services.models import Case, HumanTask, ProcessInstance
from tests.api_errors_support import assert_problem, unchanged
from tests.designer_support import VOLONTAIRE, race, renamed_volontaire, xml_headers
from tests.ui_support import UiClient
from tests.ui_support import text as page_text
from workflows.migration import migrate

KEY = "stage_volontaire"
# v2 relabels the verification task; v3 (from v1) relabels the wait for the attestation.
V2_LABEL = "Contrôler l'attestation (v2)"
ATTESTATION_WAIT = "name=\"Attestation reçue en préfecture\"".encode()


def deploy(api, xml: bytes) -> int:
    resp = api.request("POST", f"/api/v1/processes/{KEY}/versions", as_="designer", raw=xml,
                       headers=xml_headers())
    return api.ok(resp, 201)["version"]


def waiting_case(api, number: str) -> dict:
    """A voluntary case waiting for an enrollment."""
    api.licence(number, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    return api.voluntary_case(number)


def case_at_verification(api, number: str) -> tuple[dict, dict]:
    """A voluntary case whose attestation arrived: its verification task is open."""
    case = waiting_case(api, number)
    session = api.session("03/06/2026", "04/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("04/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "04/06/2026")
    return case, api.task(case["id"], "verification_attestation")


def events_of(api, case_id) -> list[dict]:
    return api.ok(api.get(f"/api/v1/cases/{case_id}/events"))["items"]


def test_a_designer_migrating_a_case_reads_none_of_its_personal_data(api):
    """A designer needs the case's step, not its holder (ARCHITECTURE.md: each role sees only
    what it needs): the answer names the case, its version, status, tasks and timers, and no
    name, licence number, letter, deadline nor outcome."""
    api.set_today("01/03/2026")
    case, _ = case_at_verification(api, "120175200501")
    deploy(api, renamed_volontaire(V2_LABEL))
    moved = api.ok(api.post(f"/api/v1/cases/{case['id']}/migration", {"version": 2},
                            as_="designer"))
    assert set(moved) == {"id", "reference", "kind", "status", "status_label", "closed",
                          "process", "tasks", "timers"}
    text = str(moved)
    assert "120175200501" not in text and "Martin" not in text and "Léa" not in text
    assert api.case(case["id"])["holder"] == "Léa Martin"  # the clerk's view is unchanged


def test_a_case_moves_to_a_compatible_version_and_goes_on_there(api):
    api.set_today("01/03/2026")
    case, task = case_at_verification(api, "120175200501")
    assert deploy(api, renamed_volontaire(V2_LABEL)) == 2
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/2/migrations", as_="designer"))
    assert listed["total"] == 6  # the case and the 5 other trainees of its session
    assert {"case": case["id"], "reference": case["reference"], "from_version": 1,
            "safe": True, "reasons": []} in listed["items"]

    moved = api.ok(api.post(f"/api/v1/cases/{case['id']}/migration", {"version": 2},
                            as_="designer"))
    assert moved["process"] == {"key": KEY, "version": 2}
    assert moved["status"] == "verification_attestation"
    assert moved["tasks"] == [{"id": task["id"], "key": "verification_attestation",
                               "title": V2_LABEL}]  # same task, its new title
    event = events_of(api, case["id"])[-1]
    assert event["type"] == "migration_version" and event["actor"] == "designer"
    assert (event["detail"]["from"], event["detail"]["to"]) == (1, 2)
    history = api.ok(api.get(f"/api/v1/processes/{KEY}/events", as_="designer"))["items"]
    assert history[-1]["type"] == "migration_dossiers"
    assert history[-1]["detail"]["migrated"] == [case["id"]]
    counts = {v["version"]: v["running_cases"] for v in api.ok(api.get("/api/v1/processes"))[
        "items"] if v["key"] == KEY}
    assert counts == {1: 5, 2: 1}

    done = api.complete(case["id"], "verification_attestation", decision="valider")
    assert done["outcome"]["points_credited"] == 4 and done["process"]["version"] == 2
    assert done["closed"] is True


def test_the_case_page_tells_the_migration_in_french(api, app):
    api.set_today("01/03/2026")
    case = waiting_case(api, "120175200509")
    deploy(api, renamed_volontaire(V2_LABEL))
    api.ok(api.post(f"/api/v1/cases/{case['id']}/migration", {"version": 2}, as_="designer"))
    ui = UiClient(app)
    ui.login("agent")
    page = page_text(ui.get(f"/ui/dossiers/{case['id']}"))
    row = next(r for r in page.split("<tr>") if "Migration vers une autre version" in r)
    assert ("Dossier passé de la version 1 à la version 2 du processus « stage_volontaire »."
            in html.unescape(row))
    assert not re.search(r"\b(from|to|process) :", row), row


def test_an_incompatible_version_is_refused_with_reasons_and_changes_nothing(api):
    api.set_today("01/03/2026")
    case, _task = case_at_verification(api, "120175200502")
    # the case already went through the wait for the attestation: relabelling it is unsafe
    assert deploy(api, VOLONTAIRE.replace(ATTESTATION_WAIT, b'name="Attestation arrivee"')) == 2
    rows = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/2/migrations",
                          as_="designer"))["items"]
    (row,) = [r for r in rows if r["case"] == case["id"]]
    assert row["safe"] is False
    assert any("attente_attestation" in r and "déjà passée" in r for r in row["reasons"])
    with unchanged():
        resp = api.post(f"/api/v1/cases/{case['id']}/migration", {"version": 2}, as_="designer")
        body = assert_problem(resp, 409, "version")
    assert body["errors"]["version"] == row["reasons"]
    assert case["reference"] in body["detail"]
    assert api.case(case["id"])["process"]["version"] == 1


def test_bulk_migration_moves_each_safe_case_and_lists_the_others(api):
    api.set_today("01/03/2026")
    early = waiting_case(api, "120175200503")  # has not reached the attestation yet
    late, _task = case_at_verification(api, "120175200504")
    assert deploy(api, VOLONTAIRE.replace(ATTESTATION_WAIT, b'name="Attestation arrivee"')) == 2
    result = api.ok(api.post(f"/api/v1/processes/{KEY}/versions/2/migrations",
                             {"from_version": 1}, as_="designer"))
    # the 5 other trainees wait for their attestation: that wait changed, they may move
    assert early["id"] in result["migrated"] and len(result["migrated"]) == 6
    assert [r["case"] for r in result["refused"]] == [late["id"]]
    assert "attente_attestation" in " ".join(result["refused"][0]["reasons"])
    assert api.case(early["id"])["process"]["version"] == 2
    assert api.case(late["id"])["process"]["version"] == 1
    assert events_of(api, early["id"])[-1]["type"] == "migration_version"
    assert all(e["type"] != "migration_version" for e in events_of(api, late["id"]))
    summary = api.ok(api.get(f"/api/v1/processes/{KEY}/events", as_="designer"))["items"][-1]
    assert summary["type"] == "migration_dossiers" and summary["version"] == 2
    assert summary["detail"]["migrated"] == result["migrated"]
    # the migrated case goes on on v2: the relabelled wait is the one it now reaches
    session = api.session("10/06/2026", "11/06/2026")
    api.enroll(early["id"], session["id"])
    api.set_today("11/06/2026")
    api.attendance(session["id"], [("120175200503", "present", "present")])
    assert api.case(early["id"])["status"] == "en_attente_attestation"
    # nothing left to move: a second bulk run refuses nobody and moves nobody new
    again = api.ok(api.post(f"/api/v1/processes/{KEY}/versions/2/migrations", {},
                            as_="designer"))
    assert again["migrated"] == [] and [r["case"] for r in again["refused"]] == [late["id"]]


def test_already_on_the_version_or_closed_is_409(api):
    api.set_today("01/03/2026")
    case, _task = case_at_verification(api, "120175200505")
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/cases/{case['id']}/migration",
                                       {"version": 1}, as_="designer"), 409, "version")
    assert "déjà sur la version 1" in body["detail"]
    api.complete(case["id"], "verification_attestation", decision="valider")
    assert api.case(case["id"])["closed"] is True
    deploy(api, renamed_volontaire(V2_LABEL))
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/cases/{case['id']}/migration",
                                       {"version": 2}, as_="designer"), 409, "version")
    assert "clos" in body["detail"]
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/2/migrations", as_="designer"))
    assert case["id"] not in [r["case"] for r in listed["items"]]  # closed: not running


def test_a_version_of_another_process_is_refused(api, app):
    api.set_today("01/03/2026")
    case = waiting_case(api, "120175200506")
    with app.app_context():
        other = processes.get_version("stage_obligatoire", 1)
        instance = db.session.scalar(select(ProcessInstance).where(
            ProcessInstance.case_id == case["id"]))
        reasons = case_migration.reasons_against(instance.case, instance, other)
    assert reasons and "stage_volontaire" in reasons[0]


def test_migration_racing_a_completion_is_serialised(api, app):
    """The instance row is the lock: whichever command goes second sees the other's result. If
    the clerk goes first, the verification is done and the migration (which changes it) is
    refused; if the migration goes first, the clerk completes the same task on v2."""
    api.set_today("01/03/2026")
    case, task = case_at_verification(api, "120175200507")
    deploy(api, renamed_volontaire(V2_LABEL))
    results = {name: status for name, (status, _) in race(app, {
        "complete": (f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "valider"}},
                     api.tokens["agent"]),
        "migrate": (f"/api/v1/cases/{case['id']}/migration", {"version": 2},
                    api.tokens["designer"]),
    }).items()}
    assert results["complete"] == 200, results
    view = api.case(case["id"])
    types = [e["type"] for e in events_of(api, case["id"])]
    assert types.count("tache_terminee") == 1 and types.count("points_credites") == 1
    if results["migrate"] == 200:
        assert types.index("migration_version") < types.index("tache_terminee")
        assert view["process"]["version"] == 2
    else:
        assert results["migrate"] == 409 and "migration_version" not in types
        assert view["process"]["version"] == 1
    assert view["closed"] is True and view["outcome"]["points_credited"] == 4


def test_a_migration_written_over_a_concurrent_change_is_409(api, app):
    """Optimistic lock: if the instance changed between the read and the write (a writer that
    did not take the row lock), the migration loses with 409 and is rolled back."""
    api.set_today("01/03/2026")
    case, _task = case_at_verification(api, "120175200508")
    deploy(api, renamed_volontaire(V2_LABEL))
    with app.app_context():
        target = processes.get_version(KEY, 2)
        try:
            with transaction():
                instance = db.session.scalar(select(ProcessInstance).where(
                    ProcessInstance.case_id == case["id"]))
                run = migrate(journey.engine(), case_migration.definition(instance.version),
                              case_migration.definition(target), instance.state_json,
                              journey.context(instance.case, "designer"))
                # another writer commits its change of the instance meanwhile
                db.session.execute(text("UPDATE process_instances SET lock_version = "
                                        "lock_version + 1 WHERE case_id = :c"),
                                   {"c": case["id"]})
                journey.repin(instance.case, instance, target, run, "designer")
            raise AssertionError("the stale write was accepted")
        except Conflict as exc:
            assert "en même temps" in exc.detail
        db.session.rollback()
        assert db.session.get(Case, case["id"]).instance.version.version == 1
        assert db.session.scalar(select(HumanTask.title).where(
            HumanTask.case_id == case["id"], HumanTask.state == "open")) != V2_LABEL


def test_a_deploy_racing_a_bulk_migration_never_gives_a_500(api, app):
    """They touch different rows (a new version; each case's instance): both go through, and the
    cases end on the version the migration named, not on the one deployed meanwhile."""
    api.set_today("01/03/2026")
    case = waiting_case(api, "120175200510")
    assert deploy(api, renamed_volontaire(V2_LABEL)) == 2
    draft = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=renamed_volontaire("v3"), headers=xml_headers()), 201)
    results = race(app, {
        "migrate": (f"/api/v1/processes/{KEY}/versions/2/migrations", {},
                    api.tokens["designer"]),
        "deploy": (f"/api/v1/drafts/{draft['id']}/deploy", {"override": True, "reason": "essai"},
                   api.tokens["admin"]),
    })
    assert results["deploy"][0] == 201 and results["deploy"][1]["version"] == 3, results
    assert results["migrate"][0] == 200, results
    assert case["id"] in results["migrate"][1]["migrated"]
    assert api.case(case["id"])["process"]["version"] == 2
