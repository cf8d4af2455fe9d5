"""Front-end packages installed by `npm ci` (package-lock.json), served from node_modules through
an allowlist: a few package folders, a few file types, no source maps, no traversal."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, send_from_directory, url_for

# name in the URL -> folder inside node_modules, and the file types served from it
PACKAGES = {
    "dsfr": ("@gouvfr/dsfr/dist", {".css", ".js", ".woff", ".woff2", ".svg", ".png", ".ico"}),
    "bpmn-js": ("bpmn-js/dist", {".css", ".woff", ".woff2", ".ttf", ".svg", ".eot"}),
    "chart.js": ("chart.js/dist", set()),
    # the properties panel (issue 14 item 3): its UMD, its CSS, and the camunda moddle descriptor
    "bpmn-js-properties-panel": ("bpmn-js-properties-panel/dist", set()),
    "properties-panel": ("@bpmn-io/properties-panel/dist/assets", {".css"}),
    "camunda-bpmn-moddle": ("camunda-bpmn-moddle/resources", set()),
    # the form editor (issue 14 item 2)
    "form-js": ("@bpmn-io/form-js/dist", set()),
    # the decision-table editor (issue 15 item 1): its UMD, its CSS and its icon font
    "dmn-js": ("dmn-js/dist", {".css", ".woff", ".woff2", ".ttf", ".svg", ".eot"}),
    # flatpickr's French, for the date picker form-js bundles in its UMD (its own l10n file)
    "flatpickr": ("flatpickr/dist/l10n", set()),
}
FILES = {
    "bpmn-js": {"bpmn-navigated-viewer.production.min.js", "bpmn-modeler.production.min.js"},
    "chart.js": {"chart.umd.min.js"},
    "bpmn-js-properties-panel": {"bpmn-js-properties-panel.umd.js"},
    "camunda-bpmn-moddle": {"camunda.json"},
    "form-js": {"form-editor.umd.js", "assets/form-js.css", "assets/form-js-editor.css",
                "assets/properties-panel.css"},
    "dmn-js": {"dmn-modeler.production.min.js"},
    "flatpickr": {"fr.js"},
}


def node_modules(app: Flask) -> Path:
    return Path(app.root_path) / "node_modules"


def allowed(name: str, filename: str) -> bool:
    if name not in PACKAGES or ".." in filename.split("/") or filename.startswith("/"):
        return False
    if filename in FILES.get(name, ()):
        return True
    return Path(filename).suffix in PACKAGES[name][1] and not filename.endswith(".map")


def init(app: Flask) -> None:
    root = node_modules(app)

    @app.route("/static/vendor/<name>/<path:filename>", endpoint="vendor")
    def vendor_file(name: str, filename: str):
        if not allowed(name, filename):
            abort(404)
        return send_from_directory(root / PACKAGES[name][0], filename, max_age=3600)

    @app.context_processor
    def _vendor_url():
        return {"vendor": lambda name, filename: url_for("vendor", name=name,
                                                         filename=filename)}
