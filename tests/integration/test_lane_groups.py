"""Lanes are clerk groups (issue 14, item 5), through the API and the UI: the designer's
"Appeler le conducteur" drawn in a lane naming the group `accueil`; `agent` is in it, `agent2`
is in `controle`. The task is offered to `accueil` (its `group`), listed under « mes groupes »
for its members, and a clerk of another group can neither claim nor complete it (403, nothing
changed). Admins manage the groups (API, UI page, CLI); a version naming a group that does not
exist is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db import db
from services.models import User
from tests.designer_support import VOLONTAIRE, xml_headers
from tests.integration.test_designer_user_tasks import with_a_call_first
from tests.query_count import counted
from tests.ui_support import UiClient, text

CAMUNDA = b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def lane_naming(code: str, name: str = "Accueil") -> bytes:
    return (b'<bpmn:laneSet id="couloirs"><bpmn:lane id="couloir_accueil" name="'
            + name.encode() + b'"><bpmn:extensionElements>'
            b'<camunda:properties ' + CAMUNDA + b'><camunda:property name="groupe" value="'
            + code.encode() + b'"/></camunda:properties></bpmn:extensionElements>'
            b'<bpmn:flowNodeRef>appeler_conducteur</bpmn:flowNodeRef></bpmn:lane>'
            b'</bpmn:laneSet>')


def upload(api, xml: bytes, as_: str = "designer"):
    return api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_=as_,
                       raw=xml, headers=xml_headers())


def make_groups(api) -> None:
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil téléphonique"}), 201)
    api.ok(api.post("/api/v1/groups", {"code": "controle", "name": "Contrôle"}), 201)
    api.ok(api.request("PUT", "/api/v1/users/agent/groups", {"groups": ["accueil"]}))
    api.ok(api.request("PUT", "/api/v1/users/agent2/groups", {"groups": ["controle"]}))


@pytest.fixture
def offered(api):
    """A voluntary case waiting at the designer's task, offered to the group `accueil`."""
    api.set_today("02/03/2026")
    make_groups(api)
    resp = upload(api, with_a_call_first(extra=lane_naming("accueil")))
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    return api, case, api.task(case["id"], "appeler_conducteur")


def test_the_task_carries_its_lanes_group(offered):
    api, case, task = offered
    assert task["group"] == "accueil" and task["group_name"] == "Accueil téléphonique"
    claimed = api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    assert claimed["group"] == "accueil"


def test_a_clerk_of_another_group_cannot_claim_or_complete_it(offered):
    api, case, task = offered
    for action, body in (("claim", None), ("complete", {"data": {}})):
        refused = api.post(f"/api/v1/tasks/{task['id']}/{action}", body, as_="agent2")
        assert refused.status_code == 403
        assert refused.get_json()["detail"] == (
            "Cette tâche est proposée au groupe « Accueil téléphonique » ; vous n'en faites "
            "pas partie.")
        assert refused.headers["Content-Type"].startswith("application/problem+json")
    after = api.task(case["id"], "appeler_conducteur")
    assert after["assignee"] is None and after["state"] == "open"
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert not any(e["type"] in ("tache_prise", "tache_terminee") for e in events)


def test_a_clerk_of_the_group_claims_and_completes_it(offered):
    api, case, task = offered
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    # taken by a member: the other group's clerk still cannot complete it (403 before 409)
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}},
                    as_="agent2").status_code == 403
    done = api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent"))
    assert done["status"] == "en_attente_inscription"


def test_an_admin_may_take_any_task(offered):
    api, case, task = offered
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="admin"))
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="admin"))


def test_a_clerk_removed_from_the_group_can_no_longer_complete_it(offered):
    api, case, task = offered
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    api.ok(api.request("PUT", "/api/v1/users/agent/groups", {"groups": []}))
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}},
                    as_="agent").status_code == 403
    # giving it back stays possible
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/unclaim", as_="agent"))


def test_tasks_outside_any_lane_stay_open_to_every_agent(offered):
    api, case, _task = offered
    api.ok(api.post(f"/api/v1/tasks/{_task['id']}/complete", {"data": {}}, as_="agent"))
    # the mandatory process's tasks have no lane: agent2 (another group) takes one
    items = api.ok(api.get("/api/v1/tasks", as_="agent2"))["items"]
    assert all(t["group"] is None for t in items if t["key"] != "appeler_conducteur")


def test_mes_groupes_lists_the_tasks_of_my_groups_only(offered):
    api, case, task = offered
    mine = api.ok(api.get("/api/v1/tasks", as_="agent", groups="mine"))
    assert [t["id"] for t in mine["items"]] == [task["id"]] and mine["total"] == 1
    theirs = api.ok(api.get("/api/v1/tasks", as_="agent2", groups="mine"))
    assert theirs["items"] == [] and theirs["total"] == 0
    # everyone sees it in the whole list (a clerk of another group cannot take it)
    everything = api.ok(api.get("/api/v1/tasks", as_="agent2"))["items"]
    assert task["id"] in [t["id"] for t in everything]
    bad = api.get("/api/v1/tasks", as_="agent", groups="toutes")
    assert bad.status_code == 422 and "groups" in bad.get_json()["errors"]
    # an admin in no group: nothing under « mes groupes »
    assert api.ok(api.get("/api/v1/tasks", groups="mine"))["total"] == 0
    export = api.get("/api/v1/tasks/export", as_="agent", groups="mine", format="csv")
    assert export.status_code == 200 and "Appeler le conducteur" in export.get_data(
        as_text=True)


def test_mes_groupes_reads_a_page_with_a_fixed_number_of_queries(offered):
    api, case, task = offered
    api.ok(api.get("/api/v1/tasks", as_="agent", groups="mine"))
    with counted() as seen:
        api.ok(api.get("/api/v1/tasks", as_="agent", groups="mine", per_page=50))
    assert sum(seen.values()) <= 8, seen
    assert all(n == 1 for n in seen.values()), seen


def test_the_group_filter_uses_its_index_on_postgresql(offered):
    api, _case, _task = offered
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    from sqlalchemy import text as sql

    with db.engine.connect() as conn:
        conn.execute(sql("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(sql(
            "EXPLAIN SELECT id FROM human_tasks WHERE state = 'open' AND group_code IN "
            "('accueil') ORDER BY due_on IS NULL, due_on, id LIMIT 20")))
    assert "ix_human_tasks_group_due" in plan, plan


# ---- deployment: the group must exist ---------------------------------------------------------

def test_a_version_naming_an_unknown_group_is_refused(api):
    api.set_today("02/03/2026")
    resp = upload(api, with_a_call_first(extra=lane_naming("inconnu")))
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["errors"]["couloir_accueil"][0].startswith(
        "le couloir « Accueil » nomme le groupe « inconnu », qui n'existe pas")
    assert api.get("/api/v1/processes/stage_volontaire/versions/2").status_code == 404


def test_a_group_value_that_is_not_a_code_is_refused(api):
    resp = upload(api, with_a_call_first(extra=lane_naming("Accueil Tél")))
    assert resp.status_code == 422
    assert "n'est pas un code de groupe" in resp.get_json()["errors"]["couloir_accueil"][0]


def test_a_draft_naming_an_unknown_group_is_kept_with_its_problem(api):
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/drafts", as_="designer",
                       raw=with_a_call_first(extra=lane_naming("inconnu")),
                       headers=xml_headers())
    draft = api.ok(resp, 201)
    assert draft["valid"] is False
    assert [p["element_id"] for p in draft["problems"]] == ["couloir_accueil"]
    assert "qui n'existe pas" in draft["problems"][0]["message"]
    refused = api.post(f"/api/v1/drafts/{draft['id']}/deploy",
                       {"override": True, "reason": "essai"})
    assert refused.status_code == 422


def test_the_shipped_files_create_the_groups_they_name(app):
    from services import bundles, groups, processes
    from services.db import transaction

    xml = with_a_call_first(VOLONTAIRE, lane_naming("accueil"))
    with app.app_context():
        files = bundles.shipped_files(xml, processes.bpmn_dir() / bundles.FORMS_DIR)
        with transaction():
            processes.deploy("stage_volontaire", xml, "tests", origin="fichiers_livres",
                             files=files, create_groups=True)
        assert groups.names() == {"accueil": "accueil"}


# ---- admin endpoints ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "designer", "centre75"])
def test_only_admins_manage_groups(api, role):
    make_groups(api)
    assert api.get("/api/v1/groups", as_=role).status_code == 403
    assert api.get("/api/v1/groups/accueil", as_=role).status_code == 403
    assert api.post("/api/v1/groups", {"code": "x", "name": "X"}, as_=role).status_code == 403
    assert api.get("/api/v1/users/agent/groups", as_=role).status_code == 403
    assert api.request("PUT", "/api/v1/users/agent/groups", {"groups": []},
                       as_=role).status_code == 403
    assert api.ok(api.get("/api/v1/users/agent/groups"))["groups"] == ["accueil"]
    assert api.request("GET", "/api/v1/groups", as_=None).status_code == 401


def test_groups_are_listed_with_their_members(api):
    make_groups(api)
    listed = api.ok(api.get("/api/v1/groups"))["items"]
    assert listed == [
        {"code": "accueil", "name": "Accueil téléphonique", "members": ["agent"],
         "deactivated_members": []},
        {"code": "controle", "name": "Contrôle", "members": ["agent2"],
         "deactivated_members": []}]
    assert api.ok(api.get("/api/v1/groups/controle"))["members"] == ["agent2"]
    assert api.get("/api/v1/groups/inconnu").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"code": "Accueil", "name": "Accueil"}, "code"),
    ({"code": "a b", "name": "Accueil"}, "code"),
    ({"code": "", "name": "Accueil"}, "code"),
    ({"code": "x" * 41, "name": "Accueil"}, "code"),
    ({"code": "accueil", "name": "   "}, "name"),
    ({"code": "accueil"}, "name"),
    ({"code": "accueil", "name": "A", "extra": 1}, "extra"),
])
def test_a_bad_group_is_refused_with_a_french_message(api, body, field):
    resp = api.post("/api/v1/groups", body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["errors"]
    assert api.ok(api.get("/api/v1/groups"))["items"] == []


def test_an_admin_renames_a_group_its_code_stays(api):
    make_groups(api)
    renamed = api.ok(api.request("PATCH", "/api/v1/groups/accueil", {"name": "Appels"}))
    assert renamed == {"code": "accueil", "name": "Appels", "members": ["agent"],
                       "deactivated_members": []}
    assert api.request("PATCH", "/api/v1/groups/inconnu", {"name": "X"}).status_code == 404
    assert api.request("PATCH", "/api/v1/groups/accueil", {"name": " "}).status_code == 422
    assert api.request("PATCH", "/api/v1/groups/accueil", {"name": "X"},
                       as_="agent").status_code == 403


def test_a_group_code_taken_is_a_conflict(api):
    make_groups(api)
    resp = api.post("/api/v1/groups", {"code": "accueil", "name": "Autre"})
    assert resp.status_code == 409 and resp.get_json()["detail"] == (
        "Le groupe « accueil » existe déjà.")


def test_setting_a_users_groups_checks_the_user_the_groups_and_the_role(api):
    make_groups(api)
    assert api.request("PUT", "/api/v1/users/personne/groups",
                       {"groups": []}).status_code == 404
    unknown = api.request("PUT", "/api/v1/users/agent/groups", {"groups": ["inconnu"]})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"]["groups"] == ["Groupe(s) inconnu(s) : « inconnu »."]
    designer = api.request("PUT", "/api/v1/users/designer/groups", {"groups": ["accueil"]})
    assert designer.status_code == 422
    assert api.request("PUT", "/api/v1/users/agent/groups",
                       {"groups": "accueil"}).status_code == 422
    assert api.ok(api.get("/api/v1/users/agent/groups"))["groups"] == ["accueil"]  # unchanged
    both = api.ok(api.request("PUT", "/api/v1/users/agent/groups",
                              {"groups": ["controle", "accueil", "accueil"]}))
    assert both == {"username": "agent", "groups": ["accueil", "controle"]}


def test_the_openapi_document_names_the_group_endpoints_and_fields(api):
    doc = api.ok(api.get("/api/v1/openapi.json", as_=None))
    assert {"/api/v1/groups", "/api/v1/groups/{code}",
            "/api/v1/users/{username}/groups"} <= set(doc["paths"])
    task = doc["components"]["schemas"]["Task"]["properties"]
    assert {"group", "group_name"} <= set(task)


# ---- UI ---------------------------------------------------------------------------------------

def test_the_task_list_page_has_mes_groupes_and_no_take_button_for_other_groups(offered):
    api, case, task = offered
    ui = UiClient(api.app)
    ui.login("agent2")
    page = text(ui.get("/ui/taches"))
    assert "Mes groupes" in page and "Réservée au groupe « Accueil téléphonique »" in page
    assert "Aucune tâche" not in page
    assert "0 tâche ouverte" in text(ui.get("/ui/taches", filtre="groupes"))
    refused = ui.post(f"/ui/taches/{task['id']}/prendre")
    assert refused.status_code == 302
    assert api.task(case["id"], "appeler_conducteur")["assignee"] is None
    member = UiClient(api.app)
    member.login("agent")
    mine = text(member.get("/ui/taches", filtre="groupes"))
    assert "1 tâche ouverte" in mine and "Appeler le conducteur" in mine


@pytest.mark.parametrize("role", ["agent", "designer", "centre75"])
def test_the_groups_page_is_for_admins(api, role):
    ui = UiClient(api.app)
    ui.login(role)
    assert ui.get("/ui/groupes").status_code == 403


def test_an_admin_creates_a_group_and_sets_an_agents_groups_on_the_page(api):
    ui = UiClient(api.app)
    ui.login("admin")
    assert ui.get("/ui/groupes").status_code == 200
    bad = ui.post("/ui/groupes", {"code": "Pas un code", "name": "X"})
    assert bad.status_code == 422 and "Code de groupe invalide" in text(bad)
    made = ui.post("/ui/groupes", {"code": "accueil", "name": "Accueil téléphonique"})
    assert made.status_code == 302
    again = ui.post("/ui/groupes", {"code": "accueil", "name": "Autre"})
    assert again.status_code == 409 and "existe déjà" in text(again)
    assert ui.post("/ui/groupes/agents/agent2", {"groupes": "accueil"}).status_code == 302
    assert ui.post("/ui/groupes/accueil/nom", {"name": "Accueil et appels"}).status_code == 302
    assert api.ok(api.get("/api/v1/users/agent2/groups"))["groups"] == ["accueil"]
    page = text(ui.get("/ui/groupes"))
    assert "Accueil et appels" in page and "agent2" in page


# ---- CLI --------------------------------------------------------------------------------------

def test_the_cli_creates_groups_and_users_in_them(app):
    from services import users

    runner = app.test_cli_runner()
    made = runner.invoke(args=["groups", "create", "accueil", "Accueil téléphonique"])
    assert made.exit_code == 0, made.output
    bad = runner.invoke(args=["groups", "create", "Accueil", "X"])
    assert bad.exit_code == 1 and "Code de groupe invalide" in bad.output
    created = runner.invoke(args=["users", "create", "claire", "--role", "agent",
                                  "--password-stdin", "--group", "accueil"],
                            input="motdepasse-test\n")
    assert created.exit_code == 0, created.output
    with app.app_context():
        assert [grp.code for grp in users.get_by_name("claire").groups] == ["accueil"]
    refused = runner.invoke(args=["users", "create", "paul", "--role", "agent",
                                  "--password-stdin", "--group", "inconnu"],
                            input="motdepasse-test\n")
    assert refused.exit_code == 1 and "inconnu" in refused.output
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "paul")) is None
    renamed = runner.invoke(args=["groups", "rename", "accueil", "Accueil et appels"])
    assert renamed.exit_code == 0, renamed.output
    listed = runner.invoke(args=["groups", "list"])
    assert "accueil\tAccueil et appels\tclaire" in listed.output
    cleared = runner.invoke(args=["groups", "set", "claire"])
    assert cleared.exit_code == 0 and "aucun" in cleared.output
