"""The decision-table editor (issue 15 item 1) in a real browser (Chromium headless,
axe-checked): the editor page lists the bundle's DMN tables, opens a business-rule task's table
in dmn-js (French labels), and a changed cell reaches the saved draft's `decisions/*.dmn`."""

from __future__ import annotations

import re

from tests.browser.conftest import ROOT, axe_violations, login, shot

KEY = "stage_obligatoire"
TASK = "fixer_delai_relance_signalement"
TABLE = "delai_relance_signalement"


def test_a_designer_edits_a_decision_table_and_saves_it_into_a_draft(page, server):
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    button = page.get_by_role("button", name="Table de décision de la tâche")
    assert button.is_disabled()
    assert page.get_by_role("button", name=f"Ouvrir la table « {TABLE} »").is_visible()

    page.evaluate("id => window.DesignerEditor.focusElement(id)", TASK)
    assert button.is_enabled()
    button.click()
    page.wait_for_selector("#decision-editor-panel:not([hidden]) .tjs-table", state="visible")
    panel = page.locator("#decision-editor-panel")
    assert panel.get_by_text("Quand").count() >= 1  # French through dmn-fr.js
    titles = panel.locator("[title]").evaluate_all("els => els.map(e => e.title)")
    assert any(t.startswith(("Les règles", "Recueille")) for t in titles), titles  # hit policy
    assert not any("overlap" in t or "matching rule" in t for t in titles), titles
    violations = axe_violations(page)
    assert violations == [], f"éditeur de tables : violations graves ou critiques {violations}"
    shot(page, "dmn-decision-table-editor")

    # change rule 1's output through dmn-js's own modeling (as a cell edit does)
    page.evaluate(
        "() => { const v = window.DesignerEditor.dmn().getActiveViewer(); "
        "const entry = v.get('elementRegistry').get('sans_attestation_out'); "
        "v.get('modeling').editCell(entry.businessObject, '\"P3D\"'); }")
    # the table's edit is not kept yet: leaving the page asks first (dismissed, it stays)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Processus").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and "/editeur" in page.url
    page.get_by_role("button", name="Enregistrer la table").click()
    assert panel.is_hidden()
    assert '"P3D"' in page.evaluate(f"() => window.DesignerEditor.decisions['{TABLE}']")

    before = page.locator("#canvas").get_attribute("data-draft") or ""
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("b => { const c = document.getElementById('canvas'); "
                           "return c.dataset.draft && c.dataset.draft !== b; }", arg=before)
    draft = int(page.locator("#canvas").get_attribute("data-draft"))
    saved = page.evaluate(
        "id => fetch('/api/v1/drafts/' + id + '/decisions', {credentials: 'same-origin'})"
        ".then(r => r.json())", draft)
    assert '"P3D"' in saved["decisions"][TABLE]
    assert page.locator("#no-problem").is_visible()  # the edited table is valid


def test_the_table_editor_offers_exactly_the_column_types_the_server_accepts(page, server):
    """A QA finding: dmn-js offered FEEL types (date, dateTime, durations) that SpiffWorkflow
    never honours; the server now refuses them and the editor offers only
    workflows/decisions.TYPE_REFS, which the page gets from the server."""
    from workflows.decisions import TYPE_REFS

    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    page.evaluate("id => window.DesignerEditor.focusElement(id)", TASK)
    page.get_by_role("button", name="Table de décision de la tâche").click()
    page.wait_for_selector("#decision-editor-panel:not([hidden]) .tjs-table", state="visible")
    offered = page.evaluate(
        "() => window.DesignerEditor.dmn().getActiveViewer().get('dataTypes').getAll()")
    assert offered == list(TYPE_REFS)


_TRANSLATED = re.compile(r"""translate\(\s*(['"])((?:\\.|(?!\1).)*)\1""")


def _dmn_js_strings() -> set[str]:
    """Every text the decision table view passes to `translate` (dmn-js's own sources)."""
    found = set()
    for package in ("dmn-js-decision-table", "dmn-js-shared"):
        for path in (ROOT / "node_modules" / package / "lib").rglob("*.js"):
            found |= {m.group(2).replace("\\'", "'")
                      for m in _TRANSLATED.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_the_table_editor_has_no_english_left_in_its_menus_and_handles(page, server):
    """A QA finding: « Move Input » / « Move Output » (the column drag handles, which dmn-js
    titles without `translate`) and the date, range and value editors stayed in English."""
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    page.evaluate("id => window.DesignerEditor.focusElement(id)", TASK)
    page.get_by_role("button", name="Table de décision de la tâche").click()
    page.wait_for_selector("#decision-editor-panel:not([hidden]) .tjs-table", state="visible")
    titles = page.locator("#decision-editor-panel .dmn-icon-drag").evaluate_all(
        "els => els.map(e => e.title)")
    assert "Déplacer la colonne d'entrée" in titles and "Déplacer la colonne de sortie" in titles
    assert not [t for t in titles if t.startswith("Move")], titles
    known = set(page.evaluate("() => Object.keys(window.DmnFr.dictionary)"))
    assert sorted(_dmn_js_strings() - known) == []
    translated = page.evaluate("() => window.DmnFr.translate('e.g. { sample }', {sample: 'P1D'})")
    assert translated == "ex. : P1D"
