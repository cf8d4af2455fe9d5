"""The « Centres agréés » pages in a real browser (R23): an agent finds a centre from the menu,
a renewal shortened under a planned session is refused next to its field, an email is set, and
the centre's history shows who changed what. axe-checked."""

from __future__ import annotations

from tests.browser.conftest import accessible, login, shot


def test_an_agent_renews_a_centre_and_sets_its_email(page, server):
    login(page, "agent")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Centres agréés").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Centres agréés", level=1).is_visible()
    accessible(page, "centres agréés")
    page.locator("#centre-table").get_by_role("link", name="Centre Sécurité Paris 11").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Centre Sécurité Paris 11", level=1).is_visible()
    # the centre has planned sessions: an end before them is refused, next to the field
    page.get_by_label("Fin de validité de l'agrément").fill("2020-01-01")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    error = page.locator("#valid_until-messages")
    assert "L'agrément ne couvrirait plus les sessions prévues" in error.inner_text()
    assert page.get_by_label("Fin de validité de l'agrément").get_attribute(
        "aria-invalid") == "true"
    accessible(page, "centre refusé")
    page.get_by_label("Fin de validité de l'agrément").fill("2032-12-31")
    page.get_by_label("Adresse électronique").fill("stages@paris11.example.test")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert "Centre modifié." in page.locator(".fr-alert--success").inner_text()
    history = page.locator("#centre-history")
    assert "Fin de validité de l'agrément : 31/12/2030 → 31/12/2032" in history.inner_text()
    assert "Adresse électronique : — → stages@paris11.example.test" in history.inner_text()
    assert "agent" in history.inner_text()
    accessible(page, "centre modifié")
    shot(page, "centre-modifie")
