"""The form editor (form-js 1.23) in Chromium headless, two QA findings: a date field's calendar
was English (flatpickr, bundled in form-js, started with its default English locale), and after
importing a form with no field the properties panel still edited the field selected before (a
field that no longer exists)."""

from __future__ import annotations

from tests.browser.conftest import shot, tick
from tests.browser.test_editors_french import _open_form_editor

ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]
ENGLISH_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

# the calendar as a reader meets it: the month shown, the month list, the weekdays' header in
# order, the days' and controls' accessible names (only what is displayed, the open calendar)
_CALENDAR = """calendar => {
  const shown = e => e.getClientRects().length > 0;
  const select = calendar.querySelector('.flatpickr-monthDropdown-months');
  return {
    open: calendar.classList.contains('open') && shown(calendar),
    month: select.options[select.selectedIndex].textContent.trim(),
    months: [...select.options].map(o => o.textContent.trim()),
    weekdays: [...calendar.querySelectorAll('.flatpickr-weekday')]
      .filter(shown).map(e => e.textContent.trim()),
    labels: [...calendar.querySelectorAll('[aria-label]')].filter(shown)
      .map(e => e.getAttribute('aria-label')),
    text: calendar.innerText,
  };
}"""


def test_a_date_fields_calendar_is_french(page, server):
    """The calendar of a date field: French month and weekday names, the week starting on
    Monday, French accessible names; none of flatpickr's English. On the editor's canvas a
    field is drawn disabled (form-js: it is a preview, the calendar cannot open there), so the
    test enables the input and opens its calendar as a filled form would (form-js's own
    flatpickr instance, `_flatpickr`)."""
    _open_form_editor(page)
    schema = {"type": "default", "id": "verification_attestation", "schemaVersion": 16,
              "components": [{"type": "datetime", "id": "date_1", "key": "date_du_stage",
                              "subtype": "date", "dateLabel": "Date du stage"}]}
    page.evaluate("s => window.DesignerEditor.formEditor().importSchema(s)", schema)
    field = page.locator("#form-editor .fjs-form-field-datetime input.flatpickr-input")
    field.wait_for()
    assert field.get_attribute("placeholder") == "jj/mm/aaaa"
    page.evaluate("""input => {
      input.disabled = false;
      input._flatpickr.jumpToDate(new Date(2026, 2, 16));
      input._flatpickr.open();
    }""", field.element_handle())
    calendar = page.locator("#form-editor .flatpickr-calendar.open")
    calendar.wait_for()
    shot(page, "form-editor-calendar")
    seen = calendar.evaluate(_CALENDAR)
    assert seen["open"]
    assert seen["month"] == "mars"
    assert seen["months"] == FRENCH_MONTHS
    assert seen["weekdays"] == ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    # 16 March 2026 is a Monday: the first column; 1 March a Sunday: the last one
    days = calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)")
    assert days.first.get_attribute("aria-label") == "1 mars 2026"
    first_week = calendar.locator(".dayContainer .flatpickr-day").evaluate_all(
        "days => days.slice(0, 7).map(d => d.getAttribute('aria-label'))")
    assert first_week[0] == "23 février 2026" and first_week[6] == "1 mars 2026"
    assert {"Mois", "Année", "16 mars 2026"} <= set(seen["labels"])
    english = set(ENGLISH_MONTHS) | set(ENGLISH_WEEKDAYS) | {"Month", "Year"}
    assert not english & (set(seen["months"]) | set(seen["weekdays"]) | set(seen["labels"]))
    assert not [word for word in ENGLISH_MONTHS if word in seen["text"]]
    assert not [label for label in seen["labels"] if any(m in label for m in ENGLISH_MONTHS)]

    # the next month (on the canvas a click would select the field): French as well
    field.evaluate("input => input._flatpickr.changeMonth(1)")
    assert calendar.evaluate(_CALENDAR)["month"] == "avril"
    assert calendar.locator(".flatpickr-day:not(.prevMonthDay)").first.get_attribute(
        "aria-label") == "1 avril 2026"


def _panel(page) -> dict:
    """What the form editor's properties panel shows: the element it edits (`data-field`), its
    header, and the values of its entries' inputs."""
    return page.locator("#form-editor .fjs-properties-panel").evaluate("""panel => ({
      field: panel.getAttribute('data-field'),
      type: (panel.querySelector('.bio-properties-panel-header-type') || {}).textContent,
      label: (panel.querySelector('.bio-properties-panel-header-label') || {}).textContent,
      values: [...panel.querySelectorAll('input, textarea, [contenteditable]')]
        .map(e => e.value !== undefined ? e.value : e.textContent),
    })""")


def test_importing_an_empty_form_leaves_no_field_in_the_properties_panel(page, server):
    """A field selected on the canvas (its properties in the panel), then a form with no field
    loaded: the panel shows the new form's own properties, never the field that is gone; so
    does the form of another task, opened with the same editor."""
    _open_form_editor(page)
    # the designer clicks the « motif » field on the canvas: the panel edits it
    page.locator("#form-editor .fjs-form-field-textarea").first.click()
    page.wait_for_function("() => document.querySelector('#form-editor .fjs-properties-panel')"
                           ".getAttribute('data-field') === 'verification_attestation_motif'")
    before = _panel(page)
    assert "motif" in before["values"]

    # the designer loads an empty form
    page.evaluate("() => window.DesignerEditor.formEditor().importSchema("
                  "{type: 'default', id: 'vide', components: [], schemaVersion: 16})")
    page.locator("#form-editor .fjs-empty-editor").wait_for()
    page.wait_for_timeout(200)
    after = _panel(page)
    shot(page, "form-editor-empty-import")
    assert after["field"] == "vide", after
    assert after["type"] == "Formulaire"
    assert "motif" not in after["values"] and "verification_attestation_motif" not in after[
        "values"]
    assert page.evaluate("() => window.DesignerEditor.formEditor().get('selection').get()") \
        is None

    # the same through the page: a field selected in one task's form, then a new task's form
    # (empty, named after the task) opened in the same editor
    page.evaluate("id => window.DesignerEditor.focusElement(id)", "verification_attestation")
    page.get_by_role("button", name="Formulaire de la tâche").click()
    page.locator("#form-editor .fjs-form-field-textarea").first.click()
    page.wait_for_function("() => document.querySelector('#form-editor .fjs-properties-panel')"
                           ".getAttribute('data-field') === 'verification_attestation_motif'")
    task = page.evaluate("""() => {
      const m = window.DesignerEditor.modeler;
      const shape = m.get('elementFactory').createShape({type: 'bpmn:UserTask'});
      const pool = m.get('elementRegistry').get('participant_stage_volontaire');
      return m.get('modeling').createShape(shape, {x: 400, y: 700}, pool).id;
    }""")
    page.evaluate("id => window.DesignerEditor.focusElement(id)", task)
    page.get_by_role("button", name="Formulaire de la tâche").click()
    page.locator("#form-editor .fjs-empty-editor").wait_for()
    page.wait_for_timeout(200)
    opened = _panel(page)
    assert opened["field"] == task, opened
    assert opened["type"] == "Formulaire"
    assert "motif" not in opened["values"]


def test_the_clerks_view_of_a_form_is_previewed_and_tried_from_the_editor(page, server):
    """« Aperçu côté agent »: the form being edited (a help text changed, not kept yet) drawn by
    the server as a clerk's case page draws it; « Refuser » without a motif and « Essayer »:
    the clerk's French message under the field and in the summary; with a motif, accepted,
    with the values the process would receive. No draft is saved on the way."""
    _open_form_editor(page)
    schema = page.evaluate("() => window.DesignerEditor.formEditor().saveSchema()")
    schema["components"][2]["description"] = "Motif lu par le titulaire."
    page.evaluate("s => window.DesignerEditor.formEditor().importSchema(s)", schema)
    page.get_by_role("button", name="Aperçu côté agent").click()
    preview = page.locator("#form-preview-panel")
    preview.locator("[data-form-preview='formulaire']").wait_for()
    assert "Aperçu, aucun dossier réel" in preview.inner_text()
    assert "Tâche à faire : Vérifier l'attestation de stage" in preview.inner_text()
    assert preview.locator("#apercu-motif-hint").inner_text() == "Motif lu par le titulaire."
    tick(preview.locator("#apercu-decision-refuser"))
    preview.get_by_role("button", name="Essayer").click()
    preview.locator("[data-form-preview='refuse']").wait_for()
    shot(page, "form-editor-preview-refused")
    assert preview.locator("#apercu-motif-messages").inner_text() == "Ne peut pas être vide."
    assert "Motif : Ne peut pas être vide." in preview.locator("[data-error-summary]").inner_text()
    assert preview.locator("#apercu-decision-refuser").is_checked()  # what was typed stays
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")

    preview.get_by_label("Motif").fill("Attestation illisible")
    preview.get_by_role("button", name="Essayer").click()
    preview.locator("[data-form-preview='accepte']").wait_for()
    assert "Les données seraient acceptées" in preview.inner_text()
    rows = preview.locator("#apercu-valeurs tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["decision", "motif"]
    assert '"refuser"' in rows[0] and '"Attestation illisible"' in rows[1]
    assert page.locator("#draft-link").is_hidden()  # nothing saved
    assert page.locator("#dirty").is_hidden()
