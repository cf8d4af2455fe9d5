"""The admins' « Utilisateurs » pages in a real browser: an admin creates a centre user (first
refused: no centre), reads its generated password once, and the new user logs in with it; then
the admin deactivates an agent whose page is open, after the confirmation, and the agent's next
click leads to the login. axe-checked, no CSP violation."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PASSWORD, TODAY, accessible, fresh_app, login, serve, shot, tick


def _seed(app):
    from services import centres, users
    from services.clock import PARIS, clock
    from services.db import transaction

    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
            centres.create({"agrement": "R2407500010", "name": "Centre Sécurité Paris 11",
                            "departement": "75", "valid_until": dt.date(2030, 12, 31)}, "tests")
            for username, role in (("agent", "agent"), ("admin", "admin")):
                users.create(username, role, PASSWORD)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "utilisateurs")
    _seed(app)
    yield from serve(app)


def test_an_admin_creates_a_centre_user_and_deactivates_an_agent(page, open_page, server):
    clerk = open_page()
    login(clerk, "agent")
    clerk.goto("/ui/taches")

    login(page, "admin")
    page.get_by_role("link", name="Utilisateurs").first.click()
    page.get_by_role("heading", name="Utilisateurs", level=1).wait_for()
    accessible(page, "utilisateurs")
    page.get_by_role("link", name="Créer un utilisateur").click()
    page.wait_for_load_state()
    accessible(page, "créer un utilisateur")
    page.locator("#username").fill("operateur")
    tick(page.locator("#role-centre"))
    page.get_by_role("button", name="Créer l'utilisateur").click()
    page.wait_for_load_state()
    assert "doit être rattaché à un centre agréé" in page.locator("#centre-error").inner_text()
    assert page.locator("#username").input_value() == "operateur"
    accessible(page, "utilisateur refusé")
    shot(page, "utilisateur-refuse")
    page.locator("#centre").select_option("R2407500010")
    page.get_by_role("button", name="Créer l'utilisateur").click()
    page.wait_for_load_state()
    assert "Affiché une seule fois" in page.locator(".fr-alert--warning").inner_text()
    password = page.locator("#secret").input_value()
    accessible(page, "mot de passe affiché")
    shot(page, "utilisateur-cree")

    operator = open_page()
    login(operator, "operateur", password)
    assert operator.url.endswith("/ui/sessions")

    page.goto("/ui/utilisateurs/agent")
    page.get_by_role("link", name="Désactiver").click()
    page.wait_for_load_state()
    assert "ses sessions ouvertes (1) prennent fin" in page.locator("main").inner_text()
    accessible(page, "confirmation de désactivation")
    page.get_by_role("button", name="Confirmer la désactivation").click()
    page.wait_for_load_state()
    assert "« agent » est désactivé" in page.locator(".fr-alert--success").inner_text()
    accessible(page, "utilisateur désactivé")
    shot(page, "utilisateur-desactive")

    for path, name in (("/ui/utilisateurs/operateur/role", "changer le rôle"),
                       ("/ui/utilisateurs/operateur/mot-de-passe", "nouveau mot de passe")):
        page.goto(path)
        assert "Ce que ce changement fait" in page.locator(".fr-alert--warning").inner_text()
        accessible(page, name)
    shot(page, "utilisateur-mot-de-passe")

    clerk.get_by_role("link", name="Tableau de bord").first.click()
    clerk.wait_for_load_state()
    assert "/ui/connexion" in clerk.url
