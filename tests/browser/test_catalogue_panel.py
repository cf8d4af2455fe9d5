"""The editor's « Action du catalogue » section (issue 15) in a real browser (Chromium headless,
axe-checked): a designer drops a service task, picks « Ajouter une note au dossier » and fills
its `texte`; the saved draft's XML carries the catalogue's convention (camunda:topic and a
camunda:inputParameter), and the draft has no problem on the action."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, login, shot

KEY = "stage_volontaire"


def test_a_service_task_gets_its_action_and_parameters_from_the_catalogue(page, server):
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    section = page.locator("#catalogue-action")
    assert section.is_hidden()
    task_id = page.evaluate(
        "() => { const m = window.DesignerEditor.modeler, r = m.get('elementRegistry'); "
        "const parent = r.get('participant_stage_volontaire') || m.get('canvas').getRootElement();"
        "const shape = m.get('modeling').createShape("
        "  m.get('elementFactory').createShape({type: 'bpmn:ServiceTask'}), {x: 400, y: 500}, "
        "  parent);"
        "window.DesignerEditor.focusElement(shape.id); return shape.id; }")
    section.wait_for(state="visible")
    page.get_by_label("Action", exact=True).select_option("ajouter_note")
    page.get_by_text("Inscrit une note dans l'historique du dossier.").wait_for()
    texte = page.get_by_label("Texte de la note (texte)")
    texte.fill("Dossier vu par le processus")
    texte.press("Tab")
    xml = page.evaluate("async () => (await window.DesignerEditor.modeler.saveXML()).xml")
    around = xml[xml.find(f'id="{task_id}"'):][:800]
    assert 'camunda:type="external"' in around and 'camunda:topic="ajouter_note"' in around
    assert '<camunda:inputParameter name="texte">Dossier vu par le processus<' in around, around
    violations = axe_violations(page)
    assert violations == [], f"violations d'accessibilité graves ou critiques {violations}"
    shot(page, "modeler-catalogue-action")

    before = page.locator("#canvas").get_attribute("data-draft") or ""
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("b => { const c = document.getElementById('canvas'); "
                           "return c.dataset.draft && c.dataset.draft !== b; }", arg=before)
    draft = int(page.locator("#canvas").get_attribute("data-draft"))
    problems = page.evaluate("id => fetch('/api/v1/drafts/' + id, {credentials: 'same-origin'})"
                             ".then(r => r.json()).then(d => d.problems)", draft)
    on_task = [p["message"] for p in problems if p["element_id"] == task_id]
    assert not any("tâche de service" in m for m in on_task), on_task  # only its missing flows


def test_the_outbox_page_is_reachable_from_the_admins_menu_and_accessible(page, server):
    from services import outbox
    from services.db import transaction

    with server.app.app_context(), transaction():
        outbox.enqueue("email", case_id=None, action="notifier_centre", key="<essai@x>",
                       payload={"to": "centre@example.test", "subject": "Nouvel inscrit",
                                "body": "Texte"})
    login(page, "admin")
    page.goto("/ui/")
    page.get_by_role("link", name="Envois différés").first.click()
    page.get_by_role("heading", name="Envois différés").wait_for()
    table = page.locator("#outbox-table")
    assert "centre@example.test" in table.inner_text() and "En attente" in table.inner_text()
    violations = axe_violations(page)
    assert violations == [], f"violations d'accessibilité graves ou critiques {violations}"
    shot(page, "outbox-page")
