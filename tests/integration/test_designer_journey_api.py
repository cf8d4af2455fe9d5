"""Issue 14, item 10, through the REST API: a designer saves a draft of the voluntary process
with a user task in a new lane, its form (a required choice) and a gateway on that field, runs
the scenarios and deploys it; a clerk of the lane's group finds the task in « mes groupes »,
is refused an empty form, then fills it in, and the case takes the branch and shows the
designer's status label; a clerk of another group cannot claim it."""

from __future__ import annotations

import io
from pathlib import Path

from tests.api_errors_support import assert_problem

EXAMPLE = Path(__file__).resolve().parents[2] / "features" / "exemples" / "appel_conducteur"
SHIPPED_FORMS = Path(__file__).resolve().parents[2] / "bpmn" / "forms"
KEY = "stage_volontaire"


def _bundle() -> dict:
    files = [EXAMPLE / "stage_volontaire.bpmn", EXAMPLE / "appel_conducteur.form",
             SHIPPED_FORMS / "verification_attestation.form",
             SHIPPED_FORMS / "examen_manuel.form"]
    return {"fichier": [(io.BytesIO(p.read_bytes()), p.name) for p in files]}


def _groups(api):
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    api.ok(api.post("/api/v1/groups", {"code": "controle", "name": "Contrôle"}), 201)
    api.ok(api.request("PUT", "/api/v1/users/agent/groups", {"groups": ["accueil"]}))
    api.ok(api.request("PUT", "/api/v1/users/agent2/groups", {"groups": ["controle"]}))


def test_the_designers_journey_then_the_clerks_through_the_api(api):
    api.app.config["SANDBOX_SYNC"] = True
    api.set_today("02/03/2026")
    _groups(api)
    # the designer: a draft as one bundle, its forms read back, its scenarios, its deployment
    draft = api.ok(api.http.post(f"/api/v1/processes/{KEY}/drafts",
                                 headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                                 data=_bundle(), content_type="multipart/form-data"), 201)
    assert draft["valid"], draft["problems"]
    forms = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/forms", as_="designer"))["forms"]
    assert forms["appel_conducteur"]["components"][1]["key"] == "joint"
    diff = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/diff", as_="designer"))
    assert "appeler_conducteur" in {e["id"] for e in diff["added"]}
    # its own feature: the voluntary feature's scenarios expect a case to wait for its
    # enrolment at once, which this change of the journey no longer does (the gate says so)
    run = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                          {"features": ["concepteurs"]}, as_="designer"), 202)
    run = api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))
    failed = [(s["name"], s.get("message")) for s in run["scenarios"]
              if s.get("status") != "passed"]
    assert run["status"] == "reussi", failed or run
    version = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer"), 201)
    assert version["draft"] == draft["id"]

    # the clerks
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    assert (case["status"], case["status_label"]) == ("a_appeler", "Conducteur à appeler")
    mine = api.ok(api.get("/api/v1/tasks", groups="mine", as_="agent"))["items"]
    task = next(t for t in mine if t["case"] == case["id"])
    assert (task["title"], task["group"], task["group_name"]) == (
        "Appeler le conducteur", "accueil", "Accueil")
    assert task["form"]["required"] == ["joint"]
    assert not [t for t in api.ok(api.get("/api/v1/tasks", groups="mine", as_="agent2"))["items"]
                if t["case"] == case["id"]]
    assert_problem(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent2"), 403)

    empty = assert_problem(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}},
                                    as_="agent"), 422)
    assert empty["errors"]["data.joint"] == ["Champ obligatoire."]
    assert api.case(case["id"])["status"] == "a_appeler"  # nothing stored
    done = api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete",
                           {"data": {"joint": "non", "note": "Messagerie pleine."}}, as_="agent"))
    assert (done["status"], done["status_label"]) == ("courrier_a_envoyer",
                                                      "Courrier au conducteur à envoyer")
    assert api.task(case["id"], "ecrire_conducteur")["group"] == "accueil"
