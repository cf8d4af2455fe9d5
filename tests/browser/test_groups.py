"""Lanes are clerk groups (issue 14) in a real browser: an admin creates a group and puts an
agent in it on the « Groupes d'agents » page; the designer's task drawn in that group's lane is
under the agent's « Mes groupes », and another agent sees it reserved. axe-checked."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import (
    PASSWORD,
    TODAY,
    accessible,
    fresh_app,
    login,
    serve,
    shot,
    tick,
)
from tests.integration.test_designer_user_tasks import with_a_call_first
from tests.integration.test_lane_groups import lane_naming


def _seed(app):
    from services import cases, licences, processes, users
    from services.clock import PARIS, clock
    from services.db import transaction

    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
            processes.deploy_shipped("tests")
            for username, role in (("agent", "agent"), ("agent2", "agent"), ("admin", "admin")):
                users.create(username, role, PASSWORD)
        with transaction():  # the lane names `accueil`: the shipped-file path creates it
            xml = (processes.BPMN_DIR / "stage_volontaire.bpmn").read_bytes()
            processes.deploy("stage_volontaire", with_a_call_first(xml, lane_naming("accueil")),
                             "tests", create_groups=True)
        with transaction():
            lic = licences.create({"number": "120175200999", "holder": {
                "last_name": "Appel", "first_name": "Zoé", "birth_date": dt.date(1990, 5, 2)},
                "obtained_on": TODAY - dt.timedelta(days=3000), "probation": "classic",
                "formation_complementaire": False,
                "balance": {"points": 8, "on": TODAY - dt.timedelta(days=200)}}, "tests")
            cases.create({"kind": "volontaire", "licence": lic.number}, "tests")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "groupes")
    _seed(app)
    yield from serve(app)


def test_an_admin_makes_a_group_and_its_agent_finds_the_task_under_mes_groupes(page, open_page,
                                                                            server):
    login(page, "admin")
    page.goto("/ui/groupes")
    assert page.get_by_role("heading", name="Groupes d'agents", level=1).is_visible()
    accessible(page, "groupes d'agents")
    page.locator("#group-code").fill("Pas un code")
    page.locator("#group-name").fill("Contrôle")
    page.get_by_role("button", name="Créer le groupe").click()
    page.wait_for_load_state()
    assert "Code de groupe invalide" in page.locator("#group-code-error").inner_text()
    assert page.locator("#group-code").get_attribute("aria-invalid") == "true"
    accessible(page, "groupe refusé")
    page.locator("#group-code").fill("controle")
    page.get_by_role("button", name="Créer le groupe").click()
    page.wait_for_load_state()
    assert "Groupe « controle » créé." in page.locator(".fr-alert--success").inner_text()
    # the lane's group, created by the deployment with its code as name, is ticked for agent
    row = page.locator("#member-table tbody tr", has_text="agent").first
    tick(row.get_by_label("accueil"))
    row.get_by_role("button", name="Enregistrer les groupes de agent").click()
    page.wait_for_load_state()
    assert "Groupes de « agent » enregistrés : accueil." in page.locator(
        ".fr-alert--success").inner_text()
    shot(page, "groupes-agents")

    clerk = open_page()
    login(clerk, "agent")
    clerk.goto("/ui/taches")
    clerk.get_by_role("link", name="Mes groupes").click()
    clerk.wait_for_load_state()
    assert clerk.url.endswith("filtre=groupes")
    assert clerk.locator("#task-table tbody tr").count() == 1
    assert "Appeler le conducteur" in clerk.locator("#task-table").inner_text()
    accessible(clerk, "mes groupes")
    shot(clerk, "mes-groupes")

    other = open_page()
    login(other, "agent2")
    other.goto("/ui/taches")
    assert "réservée au groupe « accueil »" in other.locator("#task-table").inner_text().lower()
    accessible(other, "tâche réservée")
