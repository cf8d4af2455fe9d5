"""The clerks' and centres' UI in a real browser (Chromium headless), with axe-core checks on every
page and form, and no Content-Security-Policy violation nor JavaScript error on any page."""

from __future__ import annotations

import datetime as dt
import re

from tests.browser.conftest import SHOTS, TODAY, accessible, login, shot, tick


def submit(page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def flash(page) -> str:
    return page.locator(".fr-alert--success").first.inner_text()


def field_error(page, field_id: str) -> str:
    """The error shown next to a field, which the field names in its aria-describedby."""
    described = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
    assert f"{field_id}-messages" in described.split(), described
    return page.locator(f"#{field_id}-messages").inner_text().strip()


def iso(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


# ---- login, home, dashboard, tasklist, header -------------------------------------------------

def test_login_dashboard_and_tasklist_are_accessible(page, server):
    response = page.goto("/")
    assert "/ui/connexion" in page.url  # logged out: "/" leads to the login form
    headers = response.all_headers()
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert page.locator("html").get_attribute("lang") == "fr"
    accessible(page, "connexion")
    shot(page, "01-connexion")
    login(page, "agent", "mauvais")
    assert page.get_by_text("Identifiant ou mot de passe incorrect.").is_visible()
    assert page.get_by_label("Identifiant", exact=True).input_value() == "agent"  # kept
    # the fields say they are in error and point at the message
    for label in ("Identifiant", "Mot de passe"):
        field = page.get_by_label(label, exact=True)
        assert field.get_attribute("aria-invalid") == "true", label
        assert field.get_attribute("aria-describedby") == "login-error", label
    assert page.title().startswith("Erreur — Connexion")
    accessible(page, "connexion refusée")
    login(page, "agent")
    assert page.url.endswith("/ui/tableau-de-bord")
    page.goto("/")  # logged in: "/" is the agent's home
    assert page.url.endswith("/ui/tableau-de-bord")
    assert page.get_by_role("heading", name="Tableau de bord", level=1).is_visible()
    assert int(page.locator("#count-free").inner_text()) >= 1
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-weeks')")
    accessible(page, "tableau de bord")
    shot(page, "02-tableau-de-bord")

    nav = page.get_by_role("navigation", name="Menu principal")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Tableau de bord", "Liste des tâches", "Recherche", "Nouveau permis",
        "Sessions de stage", "Centres agréés", "Statistiques"]
    nav.get_by_role("link", name="Liste des tâches").click()
    assert page.get_by_role("heading", name="Liste des tâches").is_visible()
    assert page.locator("#task-table tbody tr").count() >= 1
    assert nav.get_by_role("link", name="Liste des tâches").get_attribute("aria-current") == "page"
    accessible(page, "liste des tâches")
    shot(page, "03-liste-des-taches")

    # keyboard: the skip link is the first focusable element and leads to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"


def test_mobile_menu_opens_with_the_burger(open_page, server):
    page = open_page({"width": 390, "height": 844})
    login(page, "agent")
    nav_link = page.get_by_role("link", name="Liste des tâches")
    assert not nav_link.is_visible()  # folded away on a small screen
    page.get_by_role("button", name="Menu").click()
    nav_link.wait_for(state="visible")
    assert page.locator("#menu-principal").get_attribute("class").count("fr-modal--opened") == 1
    # DSFR copies the header's tools (who is logged in, log out) into the open menu
    assert page.locator("#menu-principal .fr-header__menu-links").get_by_role(
        "button", name="Se déconnecter").is_visible()
    accessible(page, "menu mobile ouvert")
    shot(page, "04-menu-mobile")
    page.get_by_role("button", name="Fermer").click()
    nav_link.wait_for(state="hidden")
    page.get_by_role("button", name="Menu").click()
    nav_link.click()
    assert page.url.endswith("/ui/taches")


# ---- the whole journey through the UI ------------------------------------------------------------

def test_clerk_and_centre_take_a_48n_case_through_the_ui(page, open_page, server):
    login(page, "agent")
    # a licence: first refused (born after the licence was obtained), what was typed is kept
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Nouveau permis").click()
    accessible(page, "formulaire de permis")
    page.get_by_label("Numéro de permis").fill("120175209999")
    page.locator("#holder-last_name").fill("Roux")
    page.get_by_label("Prénom").fill("Jade")
    page.get_by_label("Date de naissance").fill("2026-01-01")
    page.get_by_label("Permis obtenu le").fill(iso(-400))
    submit(page, "Enregistrer le permis")
    assert page.title().startswith("Erreur")
    assert field_error(page, "holder-birth_date") == \
        "La date de naissance doit précéder l'obtention du permis."
    assert page.locator("#holder-birth_date").get_attribute("aria-invalid") == "true"
    assert page.locator("#holder-last_name").input_value() == "Roux"
    assert page.locator("#number").input_value() == "120175209999"
    assert page.locator("#probation-classic").is_checked()
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("link").inner_text().startswith("Date de naissance")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    accessible(page, "formulaire de permis rejeté")
    shot(page, "05-permis-rejete")
    page.get_by_label("Date de naissance").fill("2004-05-02")
    submit(page, "Enregistrer le permis")
    assert "Permis n° 120175209999 enregistré." in flash(page)
    assert page.get_by_role("heading", name="Permis n° 120175209999").is_visible()
    balance_before = int(page.locator("#balance").inner_text())
    accessible(page, "page du permis")

    # an infraction that triggers a 48N (R15), then the 48N case from it
    page.get_by_role("link", name="Enregistrer une infraction").click()
    accessible(page, "formulaire d'infraction")
    page.get_by_label("Libellé de l'infraction").fill("Excès de vitesse de 20 à 30 km/h")
    page.get_by_label("Classe").select_option("C4")
    page.get_by_label("Points retirés").fill("3")
    page.get_by_label("Commise le").fill(iso(-30))
    page.get_by_label("Décision de retrait le").fill(iso(-20))
    page.get_by_label("Montant de l'amende (€)").fill("135,00")
    page.get_by_label("Nature de l'amende").select_option("forfaitaire")
    submit(page, "Enregistrer l'infraction")
    assert "déclenche une lettre 48N (R15)" in flash(page)
    row = page.locator("#infractions tbody tr").first
    assert "135,00 €" in row.inner_text()
    row.get_by_role("link", name=re.compile("Ouvrir le dossier 48N")).click()
    accessible(page, "formulaire du dossier 48N")
    page.get_by_label("Lettre 48N envoyée le").fill(iso(-9))
    tick(page.get_by_label("Signé par le titulaire"))
    submit(page, "Ouvrir le dossier")  # signed, but no receipt date: refused (D11)
    assert field_error(page, "letter_48n-received_on").startswith(
        "Date de réception obligatoire")
    assert page.locator("#letter_48n-sent_on").input_value() == iso(-9)
    assert page.get_by_label("Signé par le titulaire").is_checked()
    accessible(page, "formulaire du dossier 48N rejeté")
    page.get_by_label("Reçue le").fill(iso(-6))
    submit(page, "Ouvrir le dossier")
    assert "ouvert : stage obligatoire" in flash(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = re.search(r"STG-\d{4}-\d{6}", heading).group(0)
    assert page.locator("#case-status").text_content().strip() == "En attente d'inscription"
    case_url = page.url

    # enrolled from the session page (last Friday and Saturday's session of centre 75)
    page.goto(f"/ui/sessions/{server.data.last}")
    page.get_by_label("Dossier à inscrire").fill(reference)
    accessible(page, "page de session (formulaire d'inscription)")
    submit(page, "Inscrire")
    assert f"Dossier {reference} inscrit à la session n° {server.data.last}." in flash(page)
    assert page.locator("#enrollments").get_by_role("link", name=reference).is_visible()

    # the centre records the attendance
    centre = open_page()
    login(centre, "centre75")
    assert centre.url.endswith("/ui/sessions")
    assert centre.locator("#session-table tbody tr").count() == 2  # only its own centre's
    accessible(centre, "liste des sessions (centre)")
    centre.get_by_role("link", name=f"Session n° {server.data.last}").click()
    assert centre.get_by_role("heading", name="Feuille de présence").is_visible()
    rows = centre.locator("#attendance tbody tr")
    assert rows.count() == 7
    # incomplete: an error next to each missing answer, the ticked ones kept
    tick(rows.nth(0).locator("input[value=present]").first)
    submit(centre, "Enregistrer la présence")
    assert centre.get_by_text("La feuille de présence est incomplète.").is_visible()
    assert rows.nth(0).locator("input[value=present]").first.is_checked()
    assert rows.nth(1).locator(".fr-message--error").count() == 2
    accessible(centre, "feuille de présence rejetée")
    centre.get_by_role("button", name="Marquer tous les stagiaires présents les deux jours").click()
    shot(centre, "06-feuille-de-presence")
    submit(centre, "Enregistrer la présence")
    # asked first: what will be issued, the heading focused, nothing recorded yet
    heading = centre.get_by_role("heading", name="Confirmer la présence ?")
    assert heading.is_visible()
    assert centre.evaluate("document.activeElement.id") == "confirmation-titre"
    assert centre.locator("#confirmation-resume").inner_text().startswith(
        "Vous allez délivrer 7 attestations de stage ; tous les stagiaires inscrits")
    assert centre.locator("#session-status").text_content().strip() == "Planifiée"
    accessible(centre, "confirmation de la présence")
    submit(centre, "Modifier")  # back to the grid, the choices kept
    assert rows.nth(6).locator("input[value=present]").last.is_checked()
    submit(centre, "Enregistrer la présence")
    submit(centre, "Confirmer la présence")
    assert "Présence enregistrée" in flash(centre)
    assert centre.locator("#session-status").text_content().strip() == "Tenue"
    shot(centre, "07-presence-enregistree")

    # the prefecture receives the attestation: a date in the future is refused, then accepted
    page.goto(case_url)
    page.get_by_label("Attestation reçue le").fill(iso(3))
    submit(page, "Enregistrer la réception")
    assert field_error(page, "received_on") == "La date de réception ne peut être dans le futur."
    assert page.locator("#received_on").input_value() == iso(3)
    accessible(page, "formulaire de réception de l'attestation rejeté")
    page.get_by_label("Attestation reçue le").fill(iso(0))
    submit(page, "Enregistrer la réception")
    assert "Réception de l'attestation enregistrée" in flash(page)

    # the verification, claimed and validated from the tasklist
    page.goto("/ui/taches?filtre=unassigned&tache=verification_attestation")
    row = page.locator("#task-table tbody tr", has_text=reference)
    row.get_by_role("button", name="Prendre").click()
    page.wait_for_load_state()
    assert "Tâche prise" in flash(page)
    page.goto("/ui/taches?filtre=mine")
    row = page.locator("#task-table tbody tr", has_text=reference)
    assert row.get_by_role("cell", name="agent", exact=True).is_visible()
    row.get_by_role("link", name="Ouvrir").click()
    page.wait_for_selector("#bpmn[data-ready='true']")
    accessible(page, "page du dossier")
    shot(page, "08-dossier-avant-validation")
    tick(page.get_by_label("Valider l'attestation"))
    submit(page, "Enregistrer la décision")
    assert "tâche terminée" in flash(page)
    outcome = page.locator("#outcome").inner_text()
    credited = int(re.match(r"(\d+) points? crédités?", outcome).group(1))
    assert page.locator("#ledger tbody tr", has_text="Stage").count() == 1
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-balance')")
    page.wait_for_selector("#bpmn[data-ready='true']")
    assert page.locator("#bpmn .djs-element.done").count() >= 5  # the completed path, greyed
    assert page.locator("#bpmn .djs-shape.done[data-element-id='verification_attestation']")\
        .count() == 1
    shot(page, "09-dossier-valide")
    page.locator("#bpmn").screenshot(path=str(SHOTS / "10-diagramme.png"))

    # the balance, on the licence page
    page.get_by_role("link", name=re.compile("permis n° 120175209999")).click()
    assert int(page.locator("#balance").inner_text()) == balance_before - 3 + credited
    assert page.locator("#ledger tbody tr").first.inner_text().count("Stage") == 1
    assert page.locator("#licence-cases").get_by_role("link", name=reference).is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-balance')")
    accessible(page, "page du permis après le stage")
    shot(page, "11-permis")


# ---- rejected forms, refusals, cancellation ------------------------------------------------------

def test_rejected_task_form_shows_the_field_error_and_keeps_the_input(page, server):
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.petit}")
    assert page.get_by_role("heading", name="Tâche à faire : Vérifier l'attestation de stage")\
        .is_visible()
    tick(page.get_by_label("Refuser"))
    submit(page, "Enregistrer la décision")
    motif = page.locator("textarea.fr-input--error")
    assert motif.count() == 1
    assert field_error(page, motif.get_attribute("id")) == "Ne peut pas être vide."
    assert page.get_by_label("Refuser").is_checked()  # what was typed is kept
    accessible(page, "formulaire de tâche rejeté")
    shot(page, "12-formulaire-rejete")
    # the task is still open, and the waiting deadline timer has its due date on the diagram
    page.wait_for_selector("#bpmn[data-ready='true']")
    # the deadline the page shows, not the instant the timer fires (00:00 the day after, D1):
    # a QA finding read « Échéance : 29/12/2026 00:00 » beside « Échéance de 4 mois 28/12/2026 »
    deadline = page.locator("#deadline").inner_text().split()[0]
    overlay = page.locator(".ui-timer-overlay").first
    assert overlay.inner_text() == f"Échéance : {deadline}", (overlay.inner_text(), deadline)
    # on the diagram the date only (a QA finding: the whole sentence overlapped the labels), the
    # whole sentence in its tooltip
    assert f": {deadline} (minuteur le " in overlay.get_attribute("title")
    page.locator("#bpmn").screenshot(path=str(SHOTS / "13-diagramme-en-cours.png"))
    # with a motif, the refusal asks first: its consequences, the heading focused
    motif.fill("Attestation d'un autre centre")
    submit(page, "Enregistrer la décision")
    assert page.get_by_role("heading", name="Confirmer le refus ?").is_visible()
    assert page.evaluate("document.activeElement.id") == "confirmation-titre"
    assert "signalement au parquet" in page.locator("#confirmation-consequences").inner_text()
    assert page.title().startswith("Confirmation demandée — Dossier")
    accessible(page, "confirmation du refus de l'attestation")
    shot(page, "12b-confirmation-du-refus")
    submit(page, "Revenir")  # nothing done: the form again, as it was filled in
    assert page.get_by_label("Refuser").is_checked()
    assert page.locator("textarea").first.input_value() == "Attestation d'un autre centre"


def test_clerk_enrols_a_case_from_its_page(page, server):
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.durand}")
    submit(page, "Inscrire")  # no session chosen
    assert field_error(page, "session") == "Champ obligatoire."
    accessible(page, "formulaire d'inscription rejeté")
    page.get_by_label("Session (places libres)").select_option(str(server.data.other))
    submit(page, "Inscrire")
    assert f"inscrit à la session n° {server.data.other}" in flash(page)
    assert f"n° {server.data.other}" in page.locator("dl").nth(1).inner_text()


def test_centre_is_refused_another_centres_session_and_the_clerks_pages(page, server):
    login(page, "centre75")
    response = page.goto(f"/ui/sessions/{server.data.other}")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert page.get_by_text("Cette ressource n'est pas accessible à votre centre.").is_visible()
    accessible(page, "page 403")
    shot(page, "14-autre-centre-refuse")
    assert page.goto("/ui/sessions/987654").status == 403  # unknown: the same page, no 404
    assert page.get_by_text("Cette ressource n'est pas accessible à votre centre.").is_visible()
    for path in (f"/ui/sessions/{server.data.other}/annulation",
                 f"/ui/dossiers/{server.data.petit}", "/ui/permis/nouveau",
                 "/ui/tableau-de-bord"):
        assert page.goto(path).status == 403, path
    nav = page.get_by_role("navigation", name="Menu principal")
    assert nav.get_by_role("link").all_inner_texts() == ["Sessions de stage", "Mon centre"]
    # its own centre's record, read-only
    nav.get_by_role("link", name="Mon centre").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Centre Sécurité Paris 11"
    assert page.locator("#centre-record").get_by_text("R2407500010").is_visible()
    accessible(page, "mon centre (centre)")
    # the centre declares a session for its own centre only: no centre to choose
    page.goto("/ui/sessions/nouvelle")
    assert page.locator("select#centre").count() == 0
    assert page.get_by_text("Centre Sécurité Paris 11 (R2407500010)").is_visible()
    accessible(page, "formulaire de session (centre)")


def test_cancelling_a_session_puts_its_cases_back_to_waiting(page, server):
    login(page, "agent")
    page.goto("/ui/sessions")
    page.get_by_role("link", name="Créer une session").click()
    page.get_by_label("Centre agréé").select_option("R2407500010")
    page.locator("#day1").fill("2026-04-11")  # a Saturday
    page.locator("#day2").fill("2026-04-12")  # a Sunday: refused (R31)
    page.get_by_label("Nombre de places").fill("12")
    submit(page, "Créer la session")
    assert "R31" in field_error(page, "day2")
    assert page.locator("#capacity").input_value() == "12"
    assert page.locator("#centre").input_value() == "R2407500010"
    accessible(page, "formulaire de session rejeté")
    shot(page, "15-session-rejetee")
    page.locator("#day1").fill("2026-04-10")
    page.locator("#day2").fill("2026-04-11")
    submit(page, "Créer la session")
    assert "créée" in flash(page)
    session_url = page.url
    page.get_by_label("Dossier à inscrire").fill("inconnu")
    submit(page, "Inscrire")
    assert field_error(page, "case") == "Aucun dossier ni permis « inconnu »."
    page.get_by_label("Dossier à inscrire").fill(server.data.bernard_ref)
    submit(page, "Inscrire")
    assert "inscrit à la session" in flash(page)
    accessible(page, "page de session")

    page.get_by_role("link", name="Annuler la session").click()
    accessible(page, "formulaire d'annulation")
    submit(page, "Annuler la session")  # no reason
    assert field_error(page, "reason") == "Champ obligatoire."
    accessible(page, "formulaire d'annulation rejeté")
    page.get_by_label("Motif de l'annulation").fill("effectif insuffisant")
    submit(page, "Annuler la session")
    assert "1 dossier revient en attente d'inscription" in flash(page)
    assert page.url == session_url
    assert page.locator("#session-status").text_content().strip() == "Annulée"
    assert "effectif insuffisant" in page.locator("#cancellation").inner_text()
    shot(page, "16-session-annulee")
    page.goto(f"/ui/dossiers/{server.data.bernard}")
    assert page.locator("#case-status").text_content().strip() == "En attente d'inscription"
    assert page.locator("#history", has_text="Session annulée").count() == 1

    # the list, filtered: the cancelled session shows under its status
    page.goto("/ui/sessions?statut=cancelled")
    assert page.locator("#session-table tbody tr").count() == 1
    page.goto("/ui/sessions?from=2026-04-01&to=2026-04-30")
    assert page.locator("#session-table tbody tr").count() == 1
    accessible(page, "liste des sessions filtrée")


def test_search_finds_licences_and_the_invalidation_form(page, server):
    login(page, "agent")
    page.goto("/ui/recherche")
    page.get_by_label("Référence du dossier, numéro de permis ou nom du titulaire").fill("durand")
    submit(page, "Rechercher")
    assert page.locator("#licence-results tbody tr").count() == 1
    accessible(page, "recherche")
    page.locator("#licence-results").get_by_role("link").first.click()
    assert page.get_by_role("heading", name=re.compile("Permis n° ")).is_visible()
    page.get_by_role("link", name="Enregistrer une 48SI").click()
    accessible(page, "formulaire 48SI")
    page.get_by_label("Décision 48SI du").fill(iso(0))
    page.get_by_label("Notifiée le").fill(iso(-5))  # before the decision: refused (R6)
    submit(page, "Enregistrer la 48SI")
    assert field_error(page, "notified_on") == "La notification ne peut précéder la décision (R6)."
    assert page.locator("#decision_on").input_value() == iso(0)
    accessible(page, "formulaire 48SI rejeté")


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
