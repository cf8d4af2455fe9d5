"""The modeler's properties panel and form editor (issue 14): their files are served from
node_modules through the allowlist, and only the editor page allows inline styles (CodeMirror's
<style> elements); no page allows an inline script."""

from __future__ import annotations

import html
import json
import re

from tests.ui_support import INLINE_SCRIPT, STYLE_ATTR, UiClient
from workflows.decisions import TYPE_REFS
from workflows.forms import FIELD_TYPES

EDITOR = "/ui/processus/stage_volontaire/editeur"


def test_the_editor_page_loads_the_panel_and_the_form_editor_without_inline_script(api):
    designer = UiClient(api.app)
    designer.login("designer")
    resp = designer.get(EDITOR)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(page) and not STYLE_ATTR.search(page)
    for asset in ("bpmn-js-properties-panel.umd.js", "form-editor.umd.js", "camunda.json",
                  "properties-panel.css", "form-js-editor.css", "dmn-modeler.production.min.js",
                  "dmn-js-decision-table.css", "dmn-fr.js", "form-fr.js", "dom-fr.js",
                  "flatpickr/fr.js"):  # the date picker's French, flatpickr's own
        assert asset in page, asset
    for script in ("dom-fr.js", "form-fr.js", "dmn-fr.js", "bpmn-fr.js"):  # the editors' French
        assert designer.get(f"/ui/static/{script}").status_code == 200, script
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp
    other = designer.get("/ui/processus").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in other


def test_the_editor_page_hands_the_form_palette_exactly_the_field_types_the_server_accepts(api):
    """A QA finding: the form palette offered types saving then refused. The page's
    configuration carries the server's list (form-fr.js keeps only those in the palette)."""
    designer = UiClient(api.app)
    designer.login("designer")
    page = designer.get(EDITOR).get_data(as_text=True)
    raw = re.search(r'<script type="application/json" id="designer-config">(.*?)</script>',
                    page, re.S).group(1)
    config = json.loads(html.unescape(raw))
    assert config["form_field_types"] == list(FIELD_TYPES)
    assert config["form_field_labels"] == FIELD_TYPES  # the palette's French names
    assert config["decision_type_refs"] == list(TYPE_REFS)  # the same for dmn-js's column types


def test_the_allowlist_serves_the_new_packages_and_nothing_else(api):
    client = api.app.test_client()
    for path in ("bpmn-js-properties-panel/bpmn-js-properties-panel.umd.js",
                 "properties-panel/properties-panel.css", "camunda-bpmn-moddle/camunda.json",
                 "form-js/form-editor.umd.js", "form-js/assets/form-js.css",
                 "form-js/assets/form-js-editor.css", "dmn-js/dmn-modeler.production.min.js",
                 "dmn-js/assets/dmn-js-decision-table.css",
                 "dmn-js/assets/dmn-font/css/dmn-embedded.css", "flatpickr/fr.js"):
        assert client.get(f"/static/vendor/{path}").status_code == 200, path
    for path in ("bpmn-js-properties-panel/bpmn-js-properties-panel.umd.js.map",
                 "bpmn-js-properties-panel/index.js", "form-js/form-playground.umd.js",
                 "form-js/index.cjs", "camunda-bpmn-moddle/../package.json",
                 "form-js/assets/carbon-styles.scss", "dmn-js/dmn-modeler.development.js",
                 "dmn-js/../package.json", "flatpickr/de.js", "flatpickr/fr.d.ts",
                 "flatpickr/../flatpickr.js", "flatpickr/../../package.json"):
        assert client.get(f"/static/vendor/{path}").status_code == 404, path
