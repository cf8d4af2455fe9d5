"""The clerks' and centres' UI in a real browser (Chromium headless), with axe-core checks."""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import SHOTS, TODAY, axe_violations, login, shot, tick


def _no_serious_violations(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name} : violations d'accessibilité graves ou critiques {violations}"


def test_login_dashboard_and_tasklist_are_accessible(page, server):
    page.goto("/ui/tableau-de-bord")
    assert "/ui/connexion" in page.url  # not logged in: the login form
    assert page.locator("html").get_attribute("lang") == "fr"
    _no_serious_violations(page, "connexion")
    shot(page, "01-connexion")
    login(page, "agent", "mauvais")
    assert page.get_by_text("Identifiant ou mot de passe incorrect.").is_visible()
    login(page, "agent")
    assert page.url.endswith("/ui/tableau-de-bord")
    assert page.get_by_role("heading", name="Tableau de bord", level=1).is_visible()
    assert int(page.locator("#count-free").inner_text()) >= 1
    assert page.locator("#chart-weeks").is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-weeks')")
    _no_serious_violations(page, "tableau de bord")
    shot(page, "02-tableau-de-bord")

    page.get_by_role("link", name="Liste des tâches").click()
    assert page.get_by_role("heading", name="Liste des tâches").is_visible()
    assert page.locator("#task-table tbody tr").count() >= 1
    _no_serious_violations(page, "liste des tâches")
    shot(page, "03-liste-des-taches")

    # keyboard: the skip link is the first focusable element and leads to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"


def test_rejected_form_shows_the_field_error_and_keeps_the_input(page, server):
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.petit}")
    assert page.get_by_role("heading", name="Tâche à faire : Vérifier l'attestation de stage")\
        .is_visible()
    tick(page.get_by_label("Refuser"))
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state()
    error = page.locator(".fr-error-text")
    assert error.first.inner_text() == "Ne peut pas être vide."
    assert page.get_by_label("Refuser").is_checked()  # what was typed is kept
    assert page.locator("textarea.fr-input--error").count() == 1
    _no_serious_violations(page, "formulaire rejeté")
    shot(page, "04-formulaire-rejete")
    # the task is still open, and the waiting deadline timer has its due date on the diagram
    page.wait_for_selector("#bpmn[data-ready='true']")
    assert page.locator(".ui-timer-overlay").first.inner_text().startswith("Échéance : ")
    page.locator("#bpmn").screenshot(path=str(SHOTS / "04b-diagramme-en-cours.png"))


def test_centre_records_attendance_and_is_refused_another_centre(page, server):
    login(page, "centre75")
    assert page.url.endswith("/ui/sessions")
    assert page.locator("#session-table tbody tr").count() == 2  # only its own centre's
    page.goto(f"/ui/sessions/{server.data.last}")
    assert page.get_by_role("heading", name="Feuille de présence").is_visible()
    _no_serious_violations(page, "feuille de présence")
    rows = page.locator("#attendance tbody tr")
    assert rows.count() == 6
    # submitted incomplete: an error next to each missing answer, the ticked ones kept
    tick(rows.nth(0).locator("input[value=present]").first)
    page.get_by_role("button", name="Enregistrer la présence").click()
    page.wait_for_load_state()
    assert page.get_by_text("La feuille de présence est incomplète.").is_visible()
    assert rows.nth(0).locator("input[value=present]").first.is_checked()
    for i in range(rows.count()):
        for radio in rows.nth(i).locator("input[value=present]").all():
            tick(radio)
    shot(page, "05-feuille-de-presence")
    page.get_by_role("button", name="Enregistrer la présence").click()
    page.wait_for_load_state()
    assert page.get_by_text("Présence enregistrée").is_visible()
    assert page.locator("#session-status").text_content().strip() == "Tenue"
    shot(page, "06-presence-enregistree")

    response = page.goto(f"/ui/sessions/{server.data.other}")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert page.get_by_text("Cette session appartient à un autre centre.").is_visible()
    shot(page, "07-autre-centre-refuse")


def test_clerk_validates_the_attestation_and_sees_balance_and_diagram(page, server):
    from services import cases
    from services.db import transaction

    with server.app.app_context():  # when run alone: the centre's attendance, by the service
        case = cases.get(server.data.martin)
        if case.status == "en_attente_resultat":
            from services import sessions
            with transaction():
                s = sessions.get(server.data.last)
                sessions.record_attendance(s, [
                    {"licence": e.case.licence.number, "day1": "present", "day2": "present"}
                    for e in sessions.active_enrollments(s)], _admin())
    login(page, "agent")
    # the prefecture receives the centre's copy of the attestation, recorded on the case page
    page.goto(f"/ui/dossiers/{server.data.martin}")
    date_field = page.get_by_label("Attestation reçue le")
    date_field.fill((TODAY + dt.timedelta(days=3)).isoformat())  # in the future: refused
    page.get_by_role("button", name="Enregistrer la réception").click()
    page.wait_for_load_state()
    assert page.locator("#received_on-error").inner_text() == \
        "La date de réception ne peut être dans le futur."
    _no_serious_violations(page, "formulaire de réception de l'attestation")
    page.get_by_label("Attestation reçue le").fill((TODAY - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Enregistrer la réception").click()
    page.wait_for_load_state()
    assert page.get_by_text("Réception de l'attestation enregistrée").is_visible()

    page.goto("/ui/recherche")
    page.get_by_label("Référence du dossier, numéro de permis ou nom du titulaire").fill("martin")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=server.data.martin_ref).click()
    assert page.get_by_role("heading", name=f"Dossier {server.data.martin_ref}").is_visible()
    assert page.locator("#deadline").inner_text().lower().count("jours restants") == 1

    page.goto("/ui/taches?filtre=unassigned&tache=verification_attestation")
    row = page.locator("#task-table tbody tr", has_text=server.data.martin_ref)
    row.get_by_role("button", name="Prendre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tâche prise").is_visible()
    page.goto("/ui/taches?filtre=mine")  # claimed: now in my tasks, no longer unassigned
    row = page.locator("#task-table tbody tr", has_text=server.data.martin_ref)
    assert row.get_by_role("cell", name="agent", exact=True).is_visible()
    row.get_by_role("link", name="Ouvrir").click()
    page.wait_for_selector("#bpmn[data-ready='true']")
    _no_serious_violations(page, "page du dossier")
    shot(page, "08-dossier-avant-validation")

    tick(page.get_by_label("Valider l'attestation"))
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state()
    assert page.locator(".fr-alert--success").get_by_text("tâche terminée").is_visible()
    outcome = page.locator("#outcome").inner_text()
    assert "crédité" in outcome, outcome
    assert page.locator("#ledger tbody tr", has_text="Stage").count() == 1
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-balance')")
    page.wait_for_selector("#bpmn[data-ready='true']")
    assert page.locator("#bpmn .djs-element.done").count() >= 5  # the completed path
    assert page.locator("#bpmn .djs-shape.done[data-element-id='verification_attestation']")\
        .count() == 1
    shot(page, "09-dossier-valide")
    page.locator("#bpmn").screenshot(path=str(SHOTS / "10-diagramme.png"))


def test_clerk_enrols_a_case_in_a_session(page, server):
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.durand}")
    page.get_by_role("button", name="Inscrire").click()  # no session chosen
    page.wait_for_load_state()
    assert page.locator("#session-error").inner_text() == "Choisissez une session."
    _no_serious_violations(page, "formulaire d'inscription")
    page.get_by_label("Session (places libres)").select_option(str(server.data.other))
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_load_state()
    assert page.get_by_text("Dossier inscrit à la session.").is_visible()
    assert f"n° {server.data.other}" in page.locator("dl").nth(1).inner_text()


def test_csrf_and_french_error_pages(page, server):
    login(page, "agent")
    # a form posted without the session's token is refused
    response = page.request.post(f"{server.url}/ui/taches/1/prendre", form={"next": "/ui/"})
    assert response.status == 400
    assert "Jeton CSRF" in response.text()
    response = page.goto("/ui/dossiers/999999")
    assert response.status == 404
    assert page.get_by_role("heading", name="Ressource introuvable").count() \
        + page.get_by_role("heading", name="Page introuvable").count() == 1
    response = page.goto("/ui/pas-de-page")
    assert response.status == 404 and page.get_by_role("heading", name="Page introuvable")\
        .is_visible()
    # the API keeps problem+json
    api = page.request.get(f"{server.url}/api/v1/pas-de-page")
    assert api.status == 404 and api.headers["content-type"].startswith("application/problem")
    # logout ends the session
    page.goto("/ui/tableau-de-bord")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    assert "/ui/connexion" in page.url
    page.goto("/ui/tableau-de-bord")
    assert "/ui/connexion" in page.url


def _admin():
    from services import users
    return users.get_by_name("admin")
