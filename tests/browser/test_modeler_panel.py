"""The modeler's properties panel and form editor (issue 14 items 2 and 3) in a real browser
(Chromium headless, axe-checked): the panel shows a flow's condition, the « Formulaire de la
tâche » button opens bpmn.io's form editor on a user task, and an extension property added in
the panel reaches the saved draft's XML."""

from __future__ import annotations

import json

from tests.browser.conftest import axe_violations, login, shot

KEY = "stage_volontaire"


def _no_serious_violations(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name} : violations d'accessibilité graves ou critiques {violations}"


def _select(page, element_id: str) -> None:
    """Select an element as the problem list's buttons do (canvas.scrollTo + selection)."""
    page.evaluate("id => window.DesignerEditor.focusElement(id)", element_id)


def test_panel_condition_form_editor_and_extension_property(page, server):
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    panel = page.locator("#properties")
    form_button = page.get_by_role("button", name="Formulaire de la tâche")
    assert form_button.is_disabled()

    # -- a conditional flow: the panel shows its condition, in French
    _select(page, "f_a_11")
    panel.get_by_text("Condition", exact=True).first.wait_for()
    condition = panel.locator("[name='conditionExpression']")
    if not condition.count():
        panel.get_by_text("Condition", exact=True).first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#properties textarea, #properties "
        "[contenteditable], #properties input')].some(e => (e.value || e.textContent || '')"
        ".includes('decision == \"valider\"'))")
    assert panel.get_by_text("Général").count() >= 1
    _no_serious_violations(page, "panneau des propriétés")
    shot(page, "modeler-panel-condition")

    # -- a user task: the form editor opens with form-js's palette
    page.locator(".djs-element[data-element-id='verification_attestation']").first.click()
    assert form_button.is_enabled()
    form_button.click()
    page.wait_for_selector("#form-editor-panel:not([hidden]) .fjs-palette", state="visible")
    shot(page, "modeler-form-editor")
    _no_serious_violations(page, "éditeur de formulaires")
    page.get_by_role("button", name="Enregistrer le formulaire").click()
    assert page.locator("#form-editor-panel").is_hidden()
    assert page.evaluate("() => Object.keys(window.DesignerEditor.forms)").count(
        "verification_attestation") == 1
    assert 'camunda:formRef="verification_attestation"' in page.evaluate(
        "async () => (await window.DesignerEditor.modeler.saveXML()).xml")

    # -- an element outside any lane: add the extension property `statut`
    _select(page, "attente_attestation")
    group = panel.locator("[data-group-id='group-CamundaPlatform__ExtensionProperties']")
    group.wait_for()
    before_items = int(group.locator(".bio-properties-panel-list-badge").inner_text() or 0)
    group.locator(".bio-properties-panel-add-entry").click()
    name = group.locator(f"input[id$='extensionProperty-{before_items}-name']")
    name.fill("statut_panneau")
    value = group.locator(f"input[id$='extensionProperty-{before_items}-value']")
    value.fill("En attente de l'attestation (panneau)")
    value.press("Tab")
    page.wait_for_function(  # the panel's fields are debounced: wait for the model to have it
        "async () => (await window.DesignerEditor.modeler.saveXML()).xml"
        ".includes('statut_panneau')", polling=200)
    _no_serious_violations(page, "propriétés d'extension")

    before = page.locator("#canvas").get_attribute("data-draft") or ""
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("b => { const c = document.getElementById('canvas'); "
                           "return c.dataset.draft && c.dataset.draft !== b; }", arg=before)
    draft = int(page.locator("#canvas").get_attribute("data-draft"))
    xml = page.evaluate("id => fetch('/api/v1/drafts/' + id + '/xml', {credentials: 'same-origin'})"
                        ".then(r => r.text())", draft)
    assert 'camunda:formRef="verification_attestation"' in xml  # sent as multipart with its .form
    around = xml[xml.find('id="attente_attestation"'):][:1500]
    assert 'name="statut_panneau"' in around and "attestation (panneau)" in around, around
    shot(page, "modeler-panel-extension-property")

    # -- a lane offers « Propriétés d'extension » too (its `groupe`, docs/process-bundle.md)
    lane_id = page.evaluate(
        "() => { const m = window.DesignerEditor.modeler, r = m.get('elementRegistry'); "
        "const lane = m.get('modeling').addLane(r.get('participant_stage_volontaire'), 'bottom'); "
        "window.DesignerEditor.focusElement(lane.id); return lane.id; }")
    assert lane_id
    panel.locator("[data-group-id='group-CamundaPlatform__ExtensionProperties']").wait_for()


def test_the_form_palette_offers_exactly_the_field_types_the_server_accepts(page, server):
    """A QA finding: form-js's palette offered types (checklist, taglist, group, image…) that
    saving the form then refused. It now lists workflows/forms.FIELD_TYPES, which the page gets
    from the server, and a form holding one field of each, as the editor makes them, is
    accepted by the server's check."""
    from workflows.forms import FIELD_TYPES, parse_form

    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    _select(page, "verification_attestation")
    page.get_by_role("button", name="Formulaire de la tâche").click()
    page.wait_for_selector("#form-editor-panel:not([hidden]) .fjs-palette", state="visible")
    offered = page.locator("#form-editor-panel .fjs-palette-field").evaluate_all(
        "els => els.map(e => e.dataset.fieldType)")
    assert sorted(offered) == sorted(FIELD_TYPES)
    # their names are the server's French ones (form-js 1.23 has no translate service)
    shown = page.locator("#form-editor-panel .fjs-palette-field .fjs-palette-field-text"
                         ).all_inner_texts()
    assert sorted(t.lower() for t in shown) == sorted(FIELD_TYPES.values())

    # one field of each offered type, made as the palette makes it (its Enter key)
    for field_type in offered:
        page.locator(f"#form-editor-panel .fjs-palette-field[data-field-type='{field_type}']"
                     ).press("Enter")
    schema = page.evaluate("() => window.DesignerEditor.formEditor().saveSchema()")
    added = [c for c in schema["components"] if c["type"] in offered]
    assert sorted({c["type"] for c in added}) == sorted(offered)
    for component in added:  # a choice field needs its values, as the panel asks
        if component["type"] in ("select", "radio") and not component.get("values"):
            component["values"] = [{"label": "Oui", "value": "oui"}]
    form, problems = parse_form(json.dumps({**schema, "components": added}), "forms/essai.form")
    assert problems == [] and form is not None
