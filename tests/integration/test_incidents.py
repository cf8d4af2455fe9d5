"""Issue 12, item 4: a deployed version whose code runs away or fails makes an incident on the
case, never a 5xx: the command is rolled back (the case is exactly as it was), the incident is
recorded with a case event, designers and admins list and resolve it, other cases keep working,
and the timer sweep records it once and skips the instance until it is resolved."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services import processes
from services.db import db, transaction
from services.models import Case, CaseEvent, Incident, Invalidation, ProcessInstance
from tests.api_errors_support import assert_problem
from tests.designer_support import xml_headers
from tests.integration.test_journey_mandatory import NUM, open_case

ROOT_BPMN = Path(__file__).resolve().parents[2] / "bpmn"
OBLIGATOIRE = (ROOT_BPMN / "stage_obligatoire.bpmn").read_bytes()
VOLONTAIRE = (ROOT_BPMN / "stage_volontaire.bpmn").read_bytes()
OTHER = "120175200999"

# Pass validation (they are only bounded at run time), from the issue.
RUNAWAY = {
    "text_of_10_gb": "n = len('a' * (1000000 * 10000))",
    "list_of_a_billion": "x = [0]*(1000000*1000)",
    "list_that_feeds_itself": "l = [1]\nfor i in l:\n    l.append(i)",
    "three_nested_loops": ("n = 0\nfor i in range(10000):\n    for j in range(10000):\n"
                           "        for k in range(10000):\n            n += 1"),
}
TIMER = b'dossier["echeance_timer"]</bpmn:timeDate>'


def with_script(xml: bytes, call: str, code: str) -> bytes:
    """`xml` with the script `call` preceded by `code` (every occurrence)."""
    old = f"<bpmn:script>{call}</bpmn:script>".encode()
    assert old in xml, call
    new = f"<bpmn:script>{code}\n{call}</bpmn:script>".encode()
    return xml.replace(old, new)


def deploy(api, key: str, xml: bytes) -> dict:
    resp = api.request("POST", f"/api/v1/processes/{key}/versions",
                       as_="designer", raw=xml, headers=xml_headers())
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def force(key: str, xml: bytes) -> None:
    """Store a version without today's checks (deployed before they existed)."""
    with transaction():
        processes.store_version(key, xml, "designer", processes.lock_for_deploy(key))


def snapshot(case_id: int) -> dict:
    db.session.rollback()
    case = db.session.get(Case, case_id)
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
    events = db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.id)).all()
    out = {"case": (case.status, case.closed, case.obligation, case.updated_at),
           "instance": (instance.lock_version, instance.state_json, instance.version_id,
                        instance.next_timer_due_at),
           "events": [e for e in events if not e.startswith("incident")],
           "invalidations": db.session.scalar(select(func.count(Invalidation.id)))}
    db.session.rollback()
    return out


def incidents_in_db() -> list[Incident]:
    db.session.rollback()
    rows = db.session.scalars(select(Incident).order_by(Incident.id)).all()
    db.session.expunge_all()
    return rows


def invalidate(api, number=NUM):
    api.reach("01/04/2026")  # a 48SI is recorded once notified (R6: not after today, LD15)
    return api.post(f"/api/v1/licences/{number}/invalidation",
                    {"decision_on": "2026-03-25", "notified_on": "2026-04-01"})


# ---- a command on a case ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(RUNAWAY))
def test_a_runaway_script_is_an_incident_and_the_case_is_unchanged(api, name):
    deploy(api, "stage_volontaire",
           with_script(VOLONTAIRE, "constater_invalidation()", RUNAWAY[name]))
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    api.set_today("10/03/2026")
    case = api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}), 201)
    before = snapshot(case["id"])

    began = time.monotonic()
    resp = invalidate(api)
    assert time.monotonic() - began < 10
    body = assert_problem(resp, 409)
    assert body["title"] == "Incident de processus"
    assert body["element"] == "constater_invalidation"
    assert isinstance(body["incident"], int)
    assert f"Incident n° {body['incident']}" in body["detail"]
    assert "limite dépassée" in body["detail"] and "inchangé" in body["detail"]

    assert snapshot(case["id"]) == before  # nothing half-written: not even the invalidation
    [incident] = incidents_in_db()
    assert (incident.id, incident.case_id, incident.element_id, incident.resolved) == (
        body["incident"], case["id"], "constater_invalidation", False)
    assert incident.command == "message « invalidation_48si »"
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert events[-1]["type"] == "incident"


def test_the_same_failure_again_is_counted_on_the_open_incident(api):
    deploy(api, "stage_volontaire", with_script(VOLONTAIRE, "constater_invalidation()",
                                                RUNAWAY["list_that_feeds_itself"]))
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    api.set_today("10/03/2026")
    api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}), 201)
    first = assert_problem(invalidate(api), 409)["incident"]
    second = assert_problem(invalidate(api), 409)["incident"]
    assert first == second
    [incident] = incidents_in_db()
    assert incident.occurrences == 2


def test_other_cases_keep_working(api):
    deploy(api, "stage_volontaire", with_script(VOLONTAIRE, "constater_invalidation()",
                                                RUNAWAY["three_nested_loops"]))
    api.licence(NUM)
    api.licence(OTHER)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    api.infraction(OTHER, "01/02/2026", points=1)
    api.set_today("10/03/2026")
    api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}), 201)
    assert_problem(invalidate(api), 409)
    # another case of the same version, and of the other process, go on as usual
    other = api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": OTHER}), 201)
    session = api.session("05/06/2026", "06/06/2026")
    assert api.enroll(other["id"], session["id"])["status"] == "inscrit"
    assert len(incidents_in_db()) == 1


# ---- opening a case -------------------------------------------------------------------------

def test_a_runaway_timer_at_case_creation_is_an_incident_and_no_case_is_opened(api):
    runaway = (b'(dossier["echeance_timer"] if len(\'a\' * (1000000 * 10000)) else None)'
               b"</bpmn:timeDate>")
    deploy(api, "stage_obligatoire", OBLIGATOIRE.replace(TIMER, runaway))
    db.session.rollback()
    cases_before = db.session.scalar(select(func.count(Case.id)))
    db.session.rollback()
    with pytest.raises(AssertionError):
        open_case(api)  # mandatory_case expects a 201
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == cases_before
    [incident] = incidents_in_db()
    assert incident.case_id is None and incident.element_id == "surveillance_echeance"
    # the command names the licence: a failed opening has no case (a QA finding)
    assert incident.command == f"ouverture du dossier obligatoire (permis {NUM})"
    assert "limite dépassée" in incident.message


@pytest.mark.parametrize(("code", "said"), [
    ("x = (i for i in [1])", "génératrices"),
    ("x = '{0}'.format(1)", "format"),
])
def test_a_forced_version_that_cannot_run_is_an_incident_not_a_500(api, code, said):
    """Refused at validation now; a version stored before that gives an incident (409)."""
    bad = with_script(VOLONTAIRE, "constater_invalidation()", code)
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=bad, headers=xml_headers())
    assert_problem(resp, 422)
    assert said in str(resp.get_json())
    force("stage_volontaire", bad)
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    api.set_today("10/03/2026")
    body = assert_problem(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}),
                          409)
    assert "refusée par les contrôles actuels" in body["detail"] and said in body["detail"]
    assert body["element"] == "constater_invalidation"


@pytest.mark.parametrize("timer", [b'"P99999999999D"', b'"9999-12-31T00:00:00+00:00"'])
def test_a_timer_out_of_range_is_refused_at_upload_and_an_incident_if_forced(api, timer):
    bad = OBLIGATOIRE.replace(TIMER, timer + b"</bpmn:timeDate>")
    if timer.startswith(b'"P'):
        bad = bad.replace(b"timeDate", b"timeDuration")
    resp = api.request("POST", "/api/v1/processes/stage_obligatoire/versions", as_="designer",
                       raw=bad, headers=xml_headers())
    body = assert_problem(resp, 422)
    assert "hors limites" in str(body)
    force("stage_obligatoire", bad)
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    resp = api.post("/api/v1/cases", {
        "kind": "obligatoire", "licence": NUM, "infraction": inf["id"],
        "letter_48n": {"sent_on": "2026-03-07", "receipt": "signed",
                       "received_on": "2026-03-10"}})
    assert_problem(resp, 409)
    assert [i.element_id for i in incidents_in_db()] == ["echeance_4_mois"]


# ---- the timer sweep --------------------------------------------------------------------------

def test_the_timer_sweep_records_the_incident_once_and_skips_the_instance(api):
    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["list_that_feeds_itself"]))
    case = open_case(api)
    api.set_today("15/07/2026")  # past the deadline: the timer is due
    before = snapshot(case["id"])

    assert api.run_timers() == 0
    [incident] = incidents_in_db()
    assert (incident.case_id, incident.element_id, incident.command) == (
        case["id"], "constater_non_conformite", "minuterie")
    assert snapshot(case["id"]) == before

    assert api.run_timers() == 0  # skipped: not run again, not counted again
    [incident] = incidents_in_db()
    assert incident.occurrences == 1

    # resolved (say the designer has a fix coming): the sweep takes the instance again
    api.ok(api.post(f"/api/v1/incidents/{incident.id}/resolve", as_="designer"))
    assert api.run_timers() == 0
    assert [i.resolved for i in incidents_in_db()] == [True, False]


def test_a_case_migrated_off_the_failing_version_is_swept_again(api):
    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["text_of_10_gb"]))
    case = open_case(api)
    api.set_today("15/07/2026")
    assert api.run_timers() == 0
    assert [i.resolved for i in incidents_in_db()] == [False]
    fixed = deploy(api, "stage_obligatoire", OBLIGATOIRE + b"\n")
    api.ok(api.post(f"/api/v1/cases/{case['id']}/migration", {"version": fixed["version"]},
                    as_="designer"))
    # the migration runs the engine on the fixed version: the due timer fires there, or in the
    # next sweep (the open incident was on the version the case left)
    api.run_timers()
    assert api.case(case["id"])["outcome"]["obligation"] == "not_met"


def test_the_sweep_skips_only_while_the_incident_is_open_on_the_instances_version(api):
    from services import timers
    from services.clock import clock
    from services.models import ProcessVersion

    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["list_of_a_billion"]))
    case = open_case(api)
    api.set_today("15/07/2026")
    assert api.run_timers() == 0
    db.session.rollback()

    def claimable() -> bool:
        ids = [i.case_id for i in timers._claim_due(clock().now(), 10)]
        db.session.rollback()
        return case["id"] in ids

    assert not claimable()
    with transaction():  # as a migration would: pinned to another version of the process
        instance = db.session.scalar(select(ProcessInstance)
                                     .where(ProcessInstance.case_id == case["id"]))
        instance.version_id = db.session.scalar(select(ProcessVersion.id).where(
            ProcessVersion.key == "stage_obligatoire", ProcessVersion.version == 1))
    assert claimable()


def test_the_timer_sweep_goes_on_with_the_other_instances(api):
    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["three_nested_loops"]))
    bad = open_case(api)
    processes_ok = (ROOT_BPMN / "stage_obligatoire.bpmn").read_bytes()
    deploy(api, "stage_obligatoire", processes_ok + b"\n")  # a fixed version for new cases
    api.licence(OTHER, obtained="01/09/2025")
    inf = api.infraction(OTHER, "01/02/2026", points=3)
    good = api.mandatory_case(OTHER, inf["id"], "10/03/2026")
    api.set_today("15/07/2026")
    assert api.run_timers() == 1
    assert api.case(good["id"])["outcome"]["obligation"] == "not_met"
    assert [i.case_id for i in incidents_in_db()] == [bad["id"]]


# ---- the incidents API ---------------------------------------------------------------------

@pytest.fixture
def incident(api):
    deploy(api, "stage_volontaire", with_script(VOLONTAIRE, "constater_invalidation()",
                                                RUNAWAY["list_of_a_billion"]))
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    api.set_today("10/03/2026")
    case = api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": NUM}), 201)
    body = assert_problem(invalidate(api), 409)
    return {"id": body["incident"], "case_id": case["id"]}


@pytest.mark.parametrize("user", ["designer", "admin"])
def test_designers_and_admins_list_and_read_incidents(api, incident, user):
    page = api.ok(api.get("/api/v1/incidents", as_=user))
    assert page["total"] == 1 and page["page"] == 1
    [item] = page["items"]
    assert item["id"] == incident["id"] and item["case_id"] == incident["case_id"]
    assert item["process"] == "stage_volontaire" and item["version"] == 2
    assert item["element"] == "constater_invalidation" and item["resolved"] is False
    assert "valeur trop grande" in item["message"]
    assert api.ok(api.get(f"/api/v1/incidents/{incident['id']}", as_=user)) == item
    assert api.ok(api.get("/api/v1/incidents", as_=user, state="ouverts"))["total"] == 1
    assert api.ok(api.get("/api/v1/incidents", as_=user, state="resolus"))["total"] == 0


@pytest.mark.parametrize("user", ["designer", "admin"])
def test_designers_and_admins_resolve_an_incident_once(api, incident, user):
    done = api.ok(api.post(f"/api/v1/incidents/{incident['id']}/resolve", as_=user))
    assert done["resolved"] is True and done["resolved_by"] == user and done["resolved_at"]
    assert api.ok(api.get("/api/v1/incidents", state="resolus"))["total"] == 1
    again = assert_problem(api.post(f"/api/v1/incidents/{incident['id']}/resolve", as_=user),
                           409)
    assert "déjà résolu" in again["detail"]
    events = api.ok(api.get(f"/api/v1/cases/{incident['case_id']}/events"))["items"]
    assert [e["type"] for e in events][-2:] == ["incident", "incident_resolu"]


@pytest.mark.parametrize("user", ["agent", "centre75"])
def test_other_roles_get_403(api, incident, user):
    assert_problem(api.get("/api/v1/incidents", as_=user), 403)
    assert_problem(api.get(f"/api/v1/incidents/{incident['id']}", as_=user), 403)
    assert_problem(api.post(f"/api/v1/incidents/{incident['id']}/resolve", as_=user), 403)
    assert [i.resolved for i in incidents_in_db()] == [False]


def test_incidents_api_error_paths(api, incident):
    assert_problem(api.get("/api/v1/incidents", as_=None), 401)
    assert_problem(api.post(f"/api/v1/incidents/{incident['id']}/resolve", as_=None), 401)
    assert_problem(api.get("/api/v1/incidents/999"), 404)
    assert_problem(api.get("/api/v1/incidents/99999999999"), 404)
    assert_problem(api.post("/api/v1/incidents/999/resolve"), 404)
    assert_problem(api.get("/api/v1/incidents", state="tous"), 422, "state")
    assert_problem(api.get("/api/v1/incidents", per_page="0"), 422, "per_page")
    assert_problem(api.get("/api/v1/incidents", inconnu="1"), 422)


def test_incidents_are_in_the_openapi_document(api):
    spec = api.ok(api.get("/api/v1/openapi.json", as_=None))
    assert "get" in spec["paths"]["/api/v1/incidents"]
    assert "post" in spec["paths"]["/api/v1/incidents/{incident_id}/resolve"]
    params = {p["name"] for p in spec["paths"]["/api/v1/incidents"]["get"]["parameters"]}
    assert {"state", "page", "per_page"} <= params


# ---- the sandbox --------------------------------------------------------------------------

def test_the_sandbox_stops_a_loop_of_10_to_the_12_in_seconds(app):
    """It kept the single sandbox slot for 7 minutes; the step budget stops every scenario's
    loop at once, and each scenario fails on the incident, named."""
    from services.design import sandbox

    loop = ("n = 0\nfor i in range(10000):\n    for j in range(10000):\n"
            "        for k in range(10000):\n            n += 1")
    xml = with_script(VOLONTAIRE, 'crediter_points("crediter", "")', loop)
    with app.app_context():
        began = time.monotonic()
        result = sandbox.run("stage_volontaire", xml, ["volontaire"], timeout=300)
    assert time.monotonic() - began < 120
    assert result.status == "echoue" and result.scenarios
    assert all("trop d'étapes de calcul" in (s.message or "") for s in result.scenarios
               if s.status == "failed")


# ---- the UI page ---------------------------------------------------------------------------

def test_the_incidents_page_lists_and_resolves_for_designers(api, incident):
    from tests.ui_support import INLINE_SCRIPT, STYLE_ATTR, UiClient, flashes, text

    ui = UiClient(api.app)
    ui.login("designer")
    page = text(ui.get("/ui/incidents"))
    assert f"n° {incident['id']}" in page and "constater_invalidation" in page
    assert "valeur trop grande" in page and "Marquer résolu" in page
    assert not INLINE_SCRIPT.search(page) and not STYLE_ATTR.search(page)
    assert 'href="/ui/incidents"' in text(ui.get("/ui/processus"))  # in the navigation

    assert ui.post(f"/ui/incidents/{incident['id']}/resoudre", csrf=False).status_code in (
        400, 403)  # no CSRF token: refused
    assert [i.resolved for i in incidents_in_db()] == [False]
    resp = ui.post(f"/ui/incidents/{incident['id']}/resoudre")
    assert resp.status_code == 302
    page = ui.get("/ui/incidents", etat="resolus")
    assert f"Incident n° {incident['id']} marqué comme résolu." in " ".join(flashes(page))
    assert "Résolu" in text(page) and [i.resolved for i in incidents_in_db()] == [True]
    assert "0 incident." in text(ui.get("/ui/incidents"))


def test_the_incidents_page_is_refused_to_agents(api, incident):
    from tests.ui_support import UiClient

    ui = UiClient(api.app)
    ui.login("agent")
    assert ui.get("/ui/incidents").status_code == 403
    assert ui.post(f"/ui/incidents/{incident['id']}/resoudre").status_code == 403
    assert [i.resolved for i in incidents_in_db()] == [False]


# ---- a centre enrolling by licence number --------------------------------------------------------

def pin_to_a_failing_version(case_id: int) -> None:
    """The case's instance runs a forced version that today's checks refuse (as after a
    migration to it): every command on the case is an incident."""
    from services.models import ProcessVersion
    force("stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                           "x = '{0}'.format(1)"))
    with transaction():
        instance = db.session.scalar(select(ProcessInstance)
                                     .where(ProcessInstance.case_id == case_id))
        instance.version_id = db.session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.key == "stage_obligatoire")
            .order_by(ProcessVersion.version.desc()).limit(1))


@pytest.mark.parametrize("path", ["api", "ui"])
def test_an_incident_when_a_centre_enrols_by_licence_is_recorded_and_hidden(api, path):
    """It was replaced by the 422 « no waiting case » (IncidentRaised is a Conflict): nothing
    was recorded. The centre gets a generic 409 that names neither the element nor the error."""
    case = open_case(api)
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    pin_to_a_failing_version(case["id"])
    before = snapshot(case["id"])
    if path == "api":
        body = assert_problem(api.post(f"/api/v1/sessions/{session['id']}/enrollment",
                                       {"licence": NUM}, as_="centre75"), 409)
        said = body["detail"]
        assert body["title"] == "Incident de processus"
        assert "element" not in body and "incident" not in body
    else:
        from tests.ui_support import UiClient
        ui = UiClient(api.app)
        ui.login("centre75")
        resp = ui.post(f"/ui/sessions/{session['id']}/inscription", {"case": NUM})
        assert resp.status_code == 409
        said = resp.get_data(as_text=True)
    assert "incident technique" in said
    assert "constater_non_conformite" not in said and "format" not in said
    assert snapshot(case["id"]) == before
    [incident] = incidents_in_db()
    assert (incident.case_id, incident.element_id) == (case["id"], "constater_non_conformite")
    assert incident.actor == "centre75"


# ---- what is recorded fits its columns; a failure to record does not stop the sweep -------------

def test_an_incident_is_cut_to_its_columns(api):
    """BPMN ids have no length of their own: element_id is String(200) (PostgreSQL refused the
    row, and the incident was lost)."""
    from services.incidents import IncidentRaised
    from services.models import ProcessVersion
    api.licence(NUM)
    version_id = db.session.scalar(select(ProcessVersion.id).limit(1))
    db.session.rollback()
    exc = IncidentRaised("échec", case_id=None, version_id=version_id, element_id="e" * 5000,
                         command="c" * 500, actor="a" * 500)
    exc.after_rollback()
    [incident] = incidents_in_db()
    assert (len(incident.element_id), len(incident.command), len(incident.actor)) == (
        200, 60, 80)


def test_an_element_id_too_long_is_refused_at_upload(api):
    long_id = "constater_" + "x" * 300
    bad = VOLONTAIRE.replace(b'"constater_invalidation"', f'"{long_id}"'.encode())
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=bad, headers=xml_headers())
    body = assert_problem(resp, 422)
    assert "identifiant trop long : 310 caractères (maximum 200)" in str(body)


def test_the_sweep_goes_on_when_an_incident_cannot_be_recorded(api, monkeypatch):
    """exc.record() failing rolled the sweep's transaction back and stopped the worker loop."""
    from services import incidents as incidents_module

    def cannot_record(self):
        db.session.execute(select(func.count()).select_from(Incident))  # some work, then fail
        raise RuntimeError("valeur trop longue pour le type character varying(200)")

    monkeypatch.setattr(incidents_module.IncidentRaised, "record", cannot_record)
    deploy(api, "stage_obligatoire", with_script(OBLIGATOIRE, "constater_non_conformite()",
                                                 RUNAWAY["list_of_a_billion"]))
    open_case(api)
    deploy(api, "stage_obligatoire", OBLIGATOIRE + b"\n")  # a fixed version for new cases
    api.licence(OTHER, obtained="01/09/2025")
    inf = api.infraction(OTHER, "01/02/2026", points=3)
    good = api.mandatory_case(OTHER, inf["id"], "10/03/2026")
    api.set_today("15/07/2026")
    assert api.run_timers() == 1
    assert api.case(good["id"])["outcome"]["obligation"] == "not_met"
    assert incidents_in_db() == []
