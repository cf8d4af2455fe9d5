"""The designers' three editors speak French wherever a designer reads (Chromium headless): the
form editor (form-js 1.23 has no translate service: form-fr.js), the decision-table editor
(dmn-js's two literals: dmn-fr.js) and the BPMN modeler's properties panel and popup menus
(bpmn-fr.js). Each test drives the editor until its panels are filled, then checks that no text
of the library's own English (read from its sources in node_modules) is visible, and that the
French is; and that what the designer wrote is never translated."""

from __future__ import annotations

import re

from tests.browser.conftest import ROOT, login, shot

_QUOTED = r"""(['"])((?:\\.|(?!\1).)*)\1"""
_FORM_LITERALS = re.compile(
    r"\b(?:label|description|tooltip|title|placeholder|text|children|name|emptyListMessage)"
    r"\s*:\s*" + _QUOTED)
_FORM_RETURNED = re.compile(r"\breturn\s+(['\"])([A-Z](?:\\.|(?!\1).)*)\1")
_TRANSLATED = re.compile(r"\btranslate\(\s*" + _QUOTED)
_ATTRIBUTE = re.compile(r"""\b(?:title|"aria-label")\s*:\s*"([^"]+)\"""")

# words the same in both languages (the dictionaries give them as they are, or not at all)
SAME = {"Date", "Type", "Condition", "Validation", "Minimum", "Maximum", "Action", "Expression",
        "Format", "Message", "Script", "Documentation", "Cycle", "BPMN", "CMMN", "version",
        "Collaboration", "Participant", "Annotation", "Options", "Description", "URL",
        "Compensation", "Signal",
        # bpmn.io's watermark, which its licence forbids changing: left as it is
        "Powered by bpmn.io"}


def _unescape(text: str) -> str:
    return text.replace("\\'", "'").replace('\\"', '"')


def _form_js_english() -> set[str]:
    """The texts form-js 1.23's editor and viewer write (their built sources)."""
    found = set()
    for path in ("@bpmn-io/form-js-editor/dist/index.es.js",
                 "@bpmn-io/form-js-viewer/dist/index.es.js"):
        source = (ROOT / "node_modules" / path).read_text(encoding="utf-8")
        for pattern in (_FORM_LITERALS, _FORM_RETURNED):
            found |= {_unescape(m.group(2)) for m in pattern.finditer(source)}
    return {s for s in found if re.search("[A-Za-z]{2}", s)} - SAME


def _bpmn_panel_english() -> set[str]:
    """The texts bpmn-js-properties-panel 5.49's UMD passes to `translate` or writes as titles."""
    source = (ROOT / "node_modules" / "bpmn-js-properties-panel" / "dist" /
              "bpmn-js-properties-panel.umd.js").read_text(encoding="utf-8")
    found = {_unescape(m.group(2)) for m in _TRANSLATED.finditer(source)}
    found |= {m.group(1) for m in _ATTRIBUTE.finditer(source)}
    return {s for s in found if re.search("[A-Za-z]{2}", s)} - SAME


# the texts a designer reads in `root`: visible text, titles, labels, placeholders, options
_VISIBLE = """root => {
  const out = new Set(), shown = e => e && e.getClientRects().length > 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.data.trim(), parent = node.parentElement;
    if (text && (shown(parent) || (parent.closest('select') && shown(parent.closest('select'))))) {
      out.add(text);
    }
  }
  root.querySelectorAll('[title], [aria-label], [placeholder]').forEach(e => {
    if (!shown(e)) { return; }
    ['title', 'aria-label', 'placeholder'].forEach(a => {
      if (e.getAttribute(a)) { out.add(e.getAttribute(a).trim()); }
    });
  });
  return [...out];
}"""


def _visible(page, selector: str) -> set[str]:
    return set(page.locator(selector).first.evaluate(_VISIBLE))


def _open_all_groups(page, root: str) -> None:
    """Open every group of a properties panel, then every list item (twice: opening a group can
    show another)."""
    for _ in range(2):
        page.evaluate("root => document.querySelectorAll("
                      "root + ' .bio-properties-panel-group-header:not(.open)')"
                      ".forEach(h => h.click())", root)
        page.wait_for_timeout(100)
    page.evaluate("root => document.querySelectorAll("
                  "root + ' .bio-properties-panel-collapsible-entry-header')"
                  ".forEach(h => { if (!h.parentElement.querySelector('.open')) h.click(); })",
                  root)
    page.wait_for_timeout(150)


def _open_form_editor(page, key: str = "stage_volontaire", task: str = "verification_attestation"):
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{key}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    page.evaluate("id => window.DesignerEditor.focusElement(id)", task)
    page.get_by_role("button", name="Formulaire de la tâche").click()
    page.wait_for_selector("#form-editor-panel:not([hidden]) .fjs-palette", state="visible")


def _select_form_field(page, field_id: str) -> None:
    page.evaluate("id => { const e = window.DesignerEditor.formEditor(); "
                  "e.get('selection').set(e.get('formFieldRegistry').get(id)); }", field_id)
    page.wait_for_timeout(150)


def test_the_form_editor_shows_no_english_of_form_js(page, server):
    """bpmn-io/form-js#77: form-js has no translate service. Every field type the palette offers,
    each selected with all its panel's groups and list items open, then an empty form: none of
    form-js's own texts is left in English; its palette, panel and canvas are French."""
    from workflows.forms import FIELD_TYPES

    english = _form_js_english()
    assert {"General", "Field label", "Build your form", "Search components"} <= english
    _open_form_editor(page)
    shown = _visible(page, "#form-editor")
    for field_type in FIELD_TYPES:
        page.locator(f"#form-editor .fjs-palette-field[data-field-type='{field_type}']"
                     ).press("Enter")
    ids = page.evaluate("() => window.DesignerEditor.formEditor().saveSchema()"
                        ".components.map(c => c.id)")
    for field_id in ids:
        _select_form_field(page, field_id)
        _open_all_groups(page, "#form-editor")
        shown |= _visible(page, "#form-editor")
    shot(page, "form-editor-french")
    assert sorted(shown & english) == []
    # the palette, its entries' tooltips, the panel's groups, entries and tooltips, the canvas
    for french in ("Champs", "Rechercher un champ", "Saisie", "Choix", "Présentation",
                   "Ajouter un champ « Texte »", "Général", "Libellé du champ", "Aide du champ",
                   "Clé", "Obligatoire", "Contraintes", "Mise en page", "Masquer si",
                   "Déplier ou replier la section", "Ajouter un élément à la liste",
                   "Supprimer le champ « Case à cocher »", "Choisir", "Augmenter", "jj/mm/aaaa",
                   "Formulaire"):
        assert french in shown, french
    # new fields are named in French, not « Text field » (the header shows the type's name)
    schema = page.evaluate("() => window.DesignerEditor.formEditor().saveSchema()")
    added = {c["type"]: c for c in schema["components"] if c["id"] in ids[3:]}
    assert added["textfield"]["label"] == "Texte" and added["select"]["label"] == "Liste de choix"
    assert added["radio"]["values"] == [{"label": "Valeur", "value": "valeur"}]
    assert page.locator("#form-editor .bio-properties-panel-header-type").text_content() in {
        name.capitalize() for name in FIELD_TYPES.values()}

    # a validation message of the panel
    _select_form_field(page, added["textfield"]["id"])
    page.locator("#form-editor [data-entry-id='key'] input").fill("a b")
    error = page.locator("#form-editor [data-entry-id='key'] .bio-properties-panel-error")
    error.wait_for()
    assert error.inner_text() == "Doit être un nom de variable ou un chemin séparé par des points."
    # the FEEL pop-up editor of « Masquer si », opened inside the form editor
    _select_form_field(page, "verification_attestation_motif")
    _open_all_groups(page, "#form-editor")
    page.locator("#form-editor [data-entry-id='conditional-hide'] "
                 ".bio-properties-panel-open-feel-popup").dispatch_event("click")
    popup = page.locator("#form-editor .bio-properties-panel-feel-popup")
    popup.wait_for()
    assert popup.get_attribute("aria-label") == "Texte long / Masquer si"
    assert "Texte long / Masquer si" in popup.inner_text()
    assert sorted(_visible(page, "#form-editor .bio-properties-panel-feel-popup") & english) == []
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")

    # a computed validation message: two fields in a row, the first one made as wide as the row
    page.evaluate("() => window.DesignerEditor.formEditor().importSchema({type: 'default', "
                  "id: 'rangee', schemaVersion: 16, components: ["
                  "{type: 'textfield', id: 'a', key: 'a', label: 'A', layout: {row: 'Row_1'}}, "
                  "{type: 'textfield', id: 'b', key: 'b', label: 'B', layout: {row: 'Row_1'}}]})")
    page.locator("#form-editor .fjs-form-field-textfield").first.wait_for()
    _select_form_field(page, "a")
    _open_all_groups(page, "#form-editor")
    page.locator("#form-editor [data-entry-id='columns'] select").select_option("16")
    error = page.locator("#form-editor [data-entry-id='columns'] .bio-properties-panel-error")
    error.wait_for()
    assert error.inner_text() == "Cette largeur dépasse le maximum de 16 colonnes par ligne"

    # the empty form and a search finding nothing
    page.evaluate("() => window.DesignerEditor.formEditor().importSchema("
                  "{type: 'default', id: 'vide', components: [], schemaVersion: 16})")
    page.locator("#form-editor .fjs-empty-editor").wait_for()
    page.locator("#form-editor .fjs-palette-search").fill("zzz")
    page.locator("#form-editor .fjs-palette-no-entries").wait_for()
    empty = _visible(page, "#form-editor")
    assert sorted(empty & english) == []
    assert {"Construisez le formulaire", "Aucun champ trouvé."} <= empty


def test_the_form_editor_never_translates_what_the_designer_wrote(page, server):
    """The designer's words that happen to be form-js's English stay as they are: the fields'
    labels, descriptions and options on the canvas, the panel's header and list items, the
    inputs' values; the panel around them is French."""
    _open_form_editor(page)
    schema = {"type": "default", "id": "verification_attestation", "schemaVersion": 16,
              "components": [
                  {"type": "text", "id": "t1", "text": "Build your form"},
                  {"type": "radio", "id": "r1", "key": "decision", "label": "Required",
                   "description": "Key", "values": [{"label": "Value", "value": "General"}],
                   "defaultValue": "General"},
                  {"type": "textfield", "id": "f1", "key": "motif", "label": "Field label"}]}
    page.evaluate("s => window.DesignerEditor.formEditor().importSchema(s)", schema)
    page.locator("#form-editor .fjs-form-field-radio").wait_for()
    _select_form_field(page, "r1")
    _open_all_groups(page, "#form-editor")
    canvas = page.locator("#form-editor .fjs-form-container")
    assert "Build your form" in canvas.inner_text()
    radio = page.locator("#form-editor .fjs-form-field-radio")
    assert "Required" in radio.inner_text() and "Key" in radio.inner_text()
    assert "Value" in radio.inner_text()
    header = page.locator("#form-editor .bio-properties-panel-header-label")
    assert header.inner_text() == "Required"
    items = page.locator("#form-editor .bio-properties-panel-collapsible-entry-header-title")
    assert "Value" in items.all_inner_texts()
    default = page.locator("#form-editor [data-entry-id='defaultValue'] select option")
    assert default.all_inner_texts() == ["<aucune>", "Value"]  # its « <none> » is form-js's
    assert page.locator("#form-editor [data-entry-id='label'] [contenteditable], "
                        "#form-editor [data-entry-id='label'] input").first.evaluate(
        "e => e.value !== undefined ? e.value : e.textContent") == "Required"
    # around them, the panel is French
    panel = _visible(page, "#form-editor .fjs-properties-container")
    assert {"Général", "Libellé du champ", "Valeur par défaut", "Options"} <= panel
    _select_form_field(page, "f1")
    assert page.locator("#form-editor .fjs-form-field-textfield label").first.inner_text() \
        .startswith("Field label")
    saved = page.evaluate("() => window.DesignerEditor.formEditor().saveSchema()")
    assert [c.get("label") for c in saved["components"]] == [None, "Required", "Field label"]
    assert saved["components"][0]["text"] == "Build your form"


def _open_table(page) -> None:
    login(page, "conceptrice")
    page.goto("/ui/processus/stage_obligatoire/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    page.evaluate("id => window.DesignerEditor.focusElement(id)", "fixer_delai_relance_signalement")
    page.get_by_role("button", name="Table de décision de la tâche").click()
    page.wait_for_selector("#decision-editor-panel:not([hidden]) .tjs-table", state="visible")


def test_the_table_editor_translates_the_two_literals_dmn_js_leaves_in_english(page, server):
    """dmn-js 17 writes two texts without `translate`: its context menu's `aria-label`
    (« Decision table context menu ») and a list's remove buttons (« Remove item », the
    predefined values of a column)."""
    _open_table(page)
    page.locator("#decision-editor td.input-cell").first.click(button="right")
    menu = page.locator("#decision-editor .context-menu-flex")
    menu.wait_for()
    assert menu.get_attribute("aria-label") == "Menu contextuel de la table de décision"
    page.keyboard.press("Escape")
    # the output column's predefined values: each listed value has a remove button
    page.locator("#decision-editor th.output-cell").first.dblclick()
    values = page.locator("#decision-editor .context-menu input[placeholder^='\"valeur\"']")
    values.fill('"P3D", "P7D"')
    values.press("Enter")
    removes = page.locator("#decision-editor .dms-list-component .remove")
    removes.first.wait_for()
    assert removes.evaluate_all("els => els.map(e => e.title)") == ["Retirer la valeur"] * 2
    shown = _visible(page, "#decision-editor")
    assert not {"Remove item", "Decision table context menu"} & shown
    # the value a designer typed is left as it is
    assert '"P3D"' in page.locator("#decision-editor .dms-list-component").inner_text()
    page.keyboard.press("Escape")

    # the decision requirements diagram: its drill-down button and its replace menu
    english = _dmn_drd_english()
    assert {"Open decision table", "Empty"} <= english
    page.locator("#decision-editor").get_by_text("Voir le diagramme des décisions").click()
    drill = page.locator("#decision-editor .drill-down-overlay button")
    drill.first.wait_for()
    assert drill.first.get_attribute("title") == "Ouvrir la table de décision"
    page.evaluate("() => { const v = window.DesignerEditor.dmn().getActiveViewer(); "
                  "const d = v.get('elementRegistry').filter(e => e.type === 'dmn:Decision')[0]; "
                  "v.get('selection').select(d); }")
    page.locator("#decision-editor .djs-context-pad .entry[data-action='replace']").click()
    menu = page.locator("#decision-editor .djs-popup")
    menu.wait_for()
    assert "Vide" in menu.inner_text()
    assert menu.locator(".djs-popup-results").get_attribute("aria-label") == "Résultats"
    assert sorted(_visible(page, "#decision-editor") & english) == []
    page.keyboard.press("Escape")


def _dmn_drd_english() -> set[str]:
    """The texts dmn-js 17's decision requirements diagram writes: through `translate`, and
    its replace options' labels and drill-down titles (translated where they are used)."""
    found = set()
    for path in (ROOT / "node_modules" / "dmn-js-drd" / "lib").rglob("*.js"):
        source = path.read_text(encoding="utf-8")
        found |= {_unescape(m.group(2)) for m in _TRANSLATED.finditer(source)}
        found |= {_unescape(m.group(2)) for m in re.finditer(
            r"\b(?:label|title)\s*:\s*" + _QUOTED, source)}
    return {s for s in found if re.search("[A-Za-z]{2}", s)} - SAME


def test_the_bpmn_panel_and_popup_menus_show_no_english(page, server):
    """Every element of both shipped processes, selected with all its panel's groups and list
    items open: none of the panel's English is visible (its select options included), the
    group headers' tooltips are French; the replace menu's search counts in French."""
    english = _bpmn_panel_english()
    assert {"Toggle section", "Assignment type", "Topic"} <= english
    login(page, "conceptrice")
    shown = set()
    for key in ("stage_volontaire", "stage_obligatoire"):
        page.goto(f"/ui/processus/{key}/editeur")
        page.wait_for_selector("#canvas[data-ready='true']")
        ids = page.evaluate("() => window.DesignerEditor.modeler.get('elementRegistry')"
                            ".filter(e => e.type !== 'label').map(e => e.id)")
        for element_id in ids:
            page.evaluate("id => window.DesignerEditor.focusElement(id)", element_id)
            _open_all_groups(page, "#properties")
            shown |= _visible(page, "#properties")
    assert sorted(shown & english) == []
    for french in ("Déplier ou replier la section", "La section contient des modifications",
                   "Type de valeur", "Action du catalogue (topic)", "Référence de la décision",
                   "Texte ou expression"):
        assert french in shown, french

    # the replace menu of a user task, searched
    page.evaluate("id => window.DesignerEditor.focusElement(id)", "examen_manuel")
    page.locator(".djs-context-pad .entry[data-action='replace']").click()
    page.keyboard.type("zzzz")
    count = page.locator("#canvas .djs-popup-search-count")
    count.wait_for()
    assert count.inner_text().strip() == "0 résultats"
    for _ in range(4):
        page.keyboard.press("Backspace")
    page.keyboard.type("Tâche")
    page.wait_for_function("() => /^[1-9]\\d* résultats?$/.test(document.querySelector("
                           "'#canvas .djs-popup-search-count').textContent.trim())")
    assert "found" not in page.locator("#canvas .djs-popup").inner_text()
    page.keyboard.press("Escape")


# elements the shipped processes do not hold, which a designer may draw
DRAWN = [("bpmn:StartEvent", "bpmn:MessageEventDefinition"),
         ("bpmn:StartEvent", "bpmn:TimerEventDefinition"),
         ("bpmn:StartEvent", "bpmn:SignalEventDefinition"),
         ("bpmn:StartEvent", "bpmn:ConditionalEventDefinition"),
         ("bpmn:IntermediateThrowEvent", "bpmn:MessageEventDefinition"),
         ("bpmn:IntermediateThrowEvent", "bpmn:EscalationEventDefinition"),
         ("bpmn:IntermediateThrowEvent", "bpmn:CompensateEventDefinition"),
         ("bpmn:IntermediateThrowEvent", "bpmn:LinkEventDefinition"),
         ("bpmn:IntermediateCatchEvent", "bpmn:ConditionalEventDefinition"),
         ("bpmn:IntermediateCatchEvent", "bpmn:SignalEventDefinition"),
         ("bpmn:EndEvent", "bpmn:ErrorEventDefinition"),
         ("bpmn:EndEvent", "bpmn:TerminateEventDefinition"),
         ("bpmn:SendTask", None), ("bpmn:ReceiveTask", None), ("bpmn:ManualTask", None),
         ("bpmn:Task", None), ("bpmn:InclusiveGateway", None), ("bpmn:ParallelGateway", None),
         ("bpmn:ComplexGateway", None), ("bpmn:DataObjectReference", None),
         ("bpmn:DataStoreReference", None), ("bpmn:TextAnnotation", None), ("bpmn:Group", None)]


def test_the_bpmn_panel_of_elements_a_designer_draws_shows_no_english(page, server):
    """Events of every kind, tasks, gateways, data and artifacts drawn in the pool: their
    panels, all groups and list items open, show none of the panel's English."""
    english = _bpmn_panel_english()
    login(page, "conceptrice")
    page.goto("/ui/processus/stage_volontaire/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")
    shown = set()
    for element_type, definition in DRAWN:
        element_id = page.evaluate(
            """([type, definition]) => {
              const m = window.DesignerEditor.modeler, attrs = {type: type};
              if (definition) { attrs.eventDefinitionType = definition; }
              const shape = m.get('elementFactory').createShape(attrs);
              const pool = m.get('elementRegistry').get('participant_stage_volontaire');
              return m.get('modeling').createShape(shape, {x: 400, y: 700}, pool).id;
            }""", [element_type, definition])
        page.evaluate("id => window.DesignerEditor.focusElement(id)", element_id)
        _open_all_groups(page, "#properties")
        shown |= _visible(page, "#properties")
    assert sorted(shown & english) == []
    for french in ("Référence d'erreur globale", "Référence d'escalade globale",
                   "Référence de signal globale", "Attendre la fin", "Activité à compenser"):
        assert french in shown, french
