"""The modeler offers what the engine honours (docs/designers.md, « Extensions Camunda et autres
moteurs »), in a real browser (Chromium headless). QA findings: the properties panel offered
Camunda features the engine silently ignored (« Écouteurs de tâche », « Écouteurs
d'exécution », « Continuations asynchrones », Java classes on service tasks…), and every load of
the editor logged « development build of Inferno » (dmn-js's bundle, now loaded only when a
decision table is opened)."""

from __future__ import annotations

from tests.browser.conftest import accessible, login, shot
from tests.designer_support import with_descriptive_extensions, with_ignored_features

KEY = "stage_volontaire"
POST = """async ([path, body]) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const resp = await fetch(path, {method: 'POST', body,
      headers: {'Content-Type': 'application/xml', 'X-CSRF-Token': token}});
    return [resp.status, await resp.json()];
}"""
# the groups of what the engine would ignore (bpmn-js-properties-panel's Camunda Platform
# provider), and their French titles
IGNORED_GROUPS = ("TaskListener", "ExecutionListener", "AsynchronousContinuations",
                  "JobExecution", "FieldInjection", "Output", "Errors", "ConnectorInput")
IGNORED_TITLES = ("Écouteurs de tâche", "Écouteurs d'exécution", "Continuations asynchrones",
                  "Injections de champs", "Sorties")


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#canvas[data-ready='true']")


def _select(page, element_id: str) -> None:
    page.evaluate("id => window.DesignerEditor.focusElement(id)", element_id)
    page.wait_for_function("id => { const i = document.querySelector("
                           "\"#properties [data-entry-id='id'] input\"); "
                           "return i && i.value === id; }", arg=element_id)


def _unfold(page, group: str) -> None:
    header = page.locator(f"#properties [data-group-id='group-CamundaPlatform__{group}'] "
                          ".bio-properties-panel-group-header")
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()


def _groups(page) -> list[str]:
    return page.locator("#properties [data-group-id]").evaluate_all(
        "els => els.map(e => e.dataset.groupId.replace('group-', '')"
        ".replace('CamundaPlatform__', ''))")


def _entries(page, group: str) -> list[str]:
    return page.locator(f"#properties [data-group-id='group-CamundaPlatform__{group}'] "
                        "[data-entry-id]").evaluate_all("els => els.map(e => e.dataset.entryId)")


def test_the_editor_loads_without_a_console_error_and_dmn_js_comes_with_the_first_table(
        page, server):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning")
            else None)
    login(page, "conceptrice")
    _open(page, "/ui/processus/stage_obligatoire/editeur")
    _select(page, "verification_attestation")
    assert errors == [], errors
    assert page.evaluate("() => window.DmnJS === undefined")
    # the decision-table editor still opens: dmn-js is loaded then
    _select(page, "fixer_delai_relance_signalement")
    page.get_by_role("button", name="Table de décision de la tâche").click()
    page.wait_for_selector("#decision-editor-panel:not([hidden]) .tjs-table")
    assert page.evaluate("() => typeof window.DmnJS") == "function"
    assert "Délai de relance" in page.locator("#decision-editor").inner_text()


def test_the_panel_offers_no_feature_the_engine_would_ignore(page, server):
    login(page, "conceptrice")
    _open(page, f"/ui/processus/{KEY}/editeur")
    panel = page.locator("#properties")

    _select(page, "verification_attestation")  # a user task
    groups = _groups(page)
    assert not set(IGNORED_GROUPS) & set(groups), groups
    assert "Input" not in groups
    assert {"Form", "UserAssignment", "ExtensionProperties"} <= set(groups), groups
    assert _entries(page, "UserAssignment") == ["dueDate"]  # no assignee, candidates, priority…
    assert panel.locator("[data-group-id='group-CamundaPlatform__UserAssignment'] "
                         ".bio-properties-panel-group-header-title").inner_text() == "Échéance"
    assert _entries(page, "Form") == ["formRef"]  # no embedded nor generated forms
    text = panel.inner_text()
    assert not [t for t in IGNORED_TITLES if t in text], text
    accessible(page, "panneau d'une tâche utilisateur")
    shot(page, "editor-engine-user-task")

    _select(page, "courrier_credit_points")  # a service task calling a catalogue action
    groups = _groups(page)
    assert not set(IGNORED_GROUPS) & set(groups), groups
    assert _entries(page, "Implementation") == ["externalTopic"]  # no Java class, expression…
    assert "Input" in groups  # the action's parameters

    _select(page, "attente_attestation")  # an event: no listener, no asynchronous continuation
    assert not set(IGNORED_GROUPS) & set(_groups(page))


def test_a_file_carrying_ignored_features_shows_them_to_remove_until_the_draft_is_valid(
        page, server):
    login(page, "conceptrice")
    _open(page, f"/ui/processus/{KEY}/editeur")
    status, draft = page.evaluate(POST, [f"/api/v1/processes/{KEY}/drafts",
                                         with_ignored_features().decode()])
    assert status == 201 and draft["valid"] is False, draft
    _open(page, f"/ui/processus/{KEY}/editeur?brouillon={draft['id']}")
    listed = page.locator("#problem-list li[data-element-id='verification_attestation']")
    assert listed.count() == 3
    assert "(camunda:taskListener)" in listed.nth(1).inner_text()

    # the element that uses them shows them, so that they can be removed
    _select(page, "verification_attestation")
    groups = _groups(page)
    assert {"TaskListener", "ExecutionListener", "AsynchronousContinuations"} <= set(groups)
    shot(page, "editor-engine-features-to-remove")
    for group in ("TaskListener", "ExecutionListener"):
        _unfold(page, group)
        item = page.locator(f"#properties [data-group-id='group-CamundaPlatform__{group}'] "
                            ".bio-properties-panel-collapsible-entry").first
        item.hover()  # its remove button shows on hover
        item.locator(".bio-properties-panel-remove-entry").click()
    _unfold(page, "AsynchronousContinuations")
    # unticked, the section goes: nothing of it is offered any more
    page.locator("#properties [data-entry-id='asynchronousContinuationBefore'] "
                 "input[type='checkbox']").click()
    page.wait_for_function("async () => !/camunda:(taskListener|executionListener|asyncBefore)/"
                           ".test((await window.DesignerEditor.modeler.saveXML()).xml)")
    assert not {"TaskListener", "ExecutionListener", "AsynchronousContinuations"} & set(
        _groups(page))
    before = page.locator("#canvas").get_attribute("data-draft")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("b => document.getElementById('canvas').dataset.draft !== b",
                           arg=before)
    page.locator("#no-problem").wait_for()


def test_descriptive_extensions_are_warnings_on_the_draft_and_in_the_editor(page, server):
    login(page, "conceptrice")
    _open(page, f"/ui/processus/{KEY}/editeur")
    status, draft = page.evaluate(POST, [f"/api/v1/processes/{KEY}/drafts",
                                         with_descriptive_extensions().decode()])
    assert status == 201 and draft["valid"] is True, draft
    page.goto(f"/ui/processus/brouillons/{draft['id']}")
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#draft-valid").is_visible()
    warnings = page.locator("#draft-warnings-list li")
    assert warnings.count() == 2
    assert "(camunda:historyTimeToLive)" in warnings.first.inner_text()
    assert "2 avertissements" in page.locator("#draft-warnings").inner_text()
    accessible(page, "brouillon avec avertissements")
    shot(page, "draft-warnings")

    _open(page, f"/ui/processus/{KEY}/editeur?brouillon={draft['id']}")
    assert page.locator("#no-problem").is_visible()
    assert page.locator("#warning-list li").count() == 2
