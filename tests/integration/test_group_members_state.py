"""Group membership follows the account: a role that takes no task (designer, centre) leaves
its groups, recorded in the admins' journal; a deactivated member keeps them for a reactivation
but is shown « désactivé » and not listed among those who take the group's tasks."""

from __future__ import annotations

import html

from tests.helpers import CENTRE
from tests.ui_support import UiClient, text


def _grouped_agent(api, runner) -> None:
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    api.ok(api.request("PUT", "/api/v1/users/agent2/groups", {"groups": ["accueil"]}))


def test_a_role_without_tasks_leaves_its_groups_recorded(api, app):
    runner = app.test_cli_runner()
    _grouped_agent(api, runner)
    assert runner.invoke(args=["users", "role", "agent2", "--role", "designer"]).exit_code == 0
    assert api.ok(api.get("/api/v1/users/agent2/groups"))["groups"] == []
    assert api.ok(api.get("/api/v1/groups/accueil"))["members"] == []
    event = api.ok(api.get("/api/v1/admin/events", type="utilisateur_role"))["items"][0]
    assert event["detail"] == {"role": ["agent", "designer"], "groups": [["accueil"], []]}


def test_agent_to_admin_keeps_the_groups(api, app):
    runner = app.test_cli_runner()
    _grouped_agent(api, runner)
    assert runner.invoke(args=["users", "role", "agent2", "--role", "admin"]).exit_code == 0
    assert api.ok(api.get("/api/v1/users/agent2/groups"))["groups"] == ["accueil"]


def test_a_centre_role_leaves_the_groups_too(api, app):
    runner = app.test_cli_runner()
    _grouped_agent(api, runner)
    result = runner.invoke(args=["users", "role", "agent2", "--role", "centre", "--centre", CENTRE])
    assert result.exit_code == 0, result.output
    assert api.ok(api.get("/api/v1/users/agent2/groups"))["groups"] == []


def test_a_deactivated_member_is_shown_apart_and_takes_nothing(api, app):
    runner = app.test_cli_runner()
    _grouped_agent(api, runner)
    assert runner.invoke(args=["users", "deactivate", "agent2"]).exit_code == 0
    group = api.ok(api.get("/api/v1/groups/accueil"))
    assert group["members"] == [] and group["deactivated_members"] == ["agent2"]
    listed = runner.invoke(args=["groups", "list"])
    assert "accueil\tAccueil\tagent2 (désactivé)" in listed.output
    ui = UiClient(api.app)
    ui.login("admin")
    assert "agent2 (désactivé)" in html.unescape(text(ui.get("/ui/groupes")))
    assert runner.invoke(args=["users", "activate", "agent2"]).exit_code == 0
    group = api.ok(api.get("/api/v1/groups/accueil"))
    assert group["members"] == ["agent2"] and group["deactivated_members"] == []
