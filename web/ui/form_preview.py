"""« Aperçu côté agent » (docs/designers.md): the form editor (processus_editor.html, editor.js)
posts the form-js document it holds, with the task it belongs to, and shows the fragment this
page answers: the form exactly as a clerk's case page draws it (web/ui/forms.py, the
`task_form` macro of _task_form.html, the same code path), or the problems a deployment would
give the document. « Essayer » posts the values typed there: the clerk's own check answers with
its French messages under the fields, or with the values the engine would receive.

A designer's POST of the UI (the session's CSRF token in the form, as every UI form); no case,
no task, nothing stored (services/design/form_preview.py)."""

from __future__ import annotations

import json

from flask import render_template, request, url_for

from services import processes
from services.design import form_preview
from services.errors import Invalid
from web.ui import forms
from web.ui.formdata import Form
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

DESIGNERS = ("designer",)  # admin is always allowed, as on the other designer pages
PREFIX = "apercu-"  # the preview's element ids (a case page uses "t<task id>-")
# the fields of the preview's own request: a form key is a Python identifier that never starts
# with "_" (workflows/forms.key_problem), so none of them can be a field of the form
SCHEMA, TASK, NAME, DRAFT, VERSION, TRY = ("_apercu_schema", "_apercu_tache", "_apercu_nom",
                                           "_apercu_brouillon", "_apercu_version",
                                           "_apercu_essai")


def _posted_schema() -> tuple[str | bytes | None, str]:
    """The form-js document and its file name: a file part (what the editor sends, read as a
    deployment reads a bundle's `.form` file) or a text field."""
    upload = request.files.get(SCHEMA)
    if upload is not None:
        return upload.read(), upload.filename or "apercu.form"
    return request.form.get(SCHEMA), "apercu.form"


def _number(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 and int(raw) > 0 else None


def _shown(value) -> str:
    """A value as a script of the process reads it (Python literals)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


@pages.route("/processus/<key>/formulaire/apercu", methods=["POST"])
@login_required(*DESIGNERS)
def processus_form_preview(key: str):
    processes.active_version(key)  # 404 for an unknown process, as its editor
    schema, file_name = _posted_schema()
    seen = form_preview.preview(schema, request.form.get(TASK), request.form.get(NAME),
                                file_name)
    context = {"key": key, "preview": seen, "draft": _number(DRAFT),
               "version": _number(VERSION), "accepted": None,
               "action": url_for("ui.processus_form_preview", key=key)}
    if seen.form is None:
        return render_template("ui/_form_preview.html", form=None, **context), 422
    spec = forms.spec_of(seen.form.form)
    if not request.form.get(TRY):
        return render_template("ui/_form_preview.html", form=forms.form_of(spec, PREFIX),
                               **context)
    data = forms.data_of(seen.form.form, request.form)
    values = {k: v for k, v in request.form.items()
              if not k.startswith("_") and k != "csrf_token"}
    try:
        received = form_preview.try_data(seen.form, data)
    except Invalid as exc:
        errors = forms.field_errors(exc.errors) or {"_schema": [exc.detail]}
        return render_template("ui/_form_preview.html",
                               form=forms.form_of(spec, PREFIX, values, errors), **context), 422
    labels = {f.key: f.label for f in seen.form.form.fields}
    context["accepted"] = [{"key": k, "label": labels.get(k, k), "value": _shown(v),
                            "blank": k not in data} for k, v in received.items()]
    return render_template("ui/_form_preview.html",
                           form=Form(spec, values, submitted=True, prefix=PREFIX), **context)
