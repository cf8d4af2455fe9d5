"""A task's form, rendered from its JSON Schema and read back as the data the service checks."""

from __future__ import annotations

import functools

from services.tasks import form_for_display
from web.labels import DECISION_LABELS as LABELS
from web.ui.formdata import Field, Form, FormSpec

HINTS = {"motif": "Obligatoire en cas de refus ; il figure dans l'historique du dossier.",
         "obligation": "Facultatif : sans choix, un stage crédité et conforme remplit "
                       "l'obligation, un stage refusé ne la remplit pas (R19).",
         "remboursement": "Facultatif : sans choix, le remboursement suit le crédit et "
                          "l'obligation (R48)."}


@functools.cache  # per task key (the contract's few): a FormSpec is shared, never changed
def spec(key: str) -> FormSpec:
    """The task's fields as a form of the UI: radios for an enum, a text area for long text."""
    schema = form_for_display(key)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        title, needed, hint = prop.get("title", name), name in required, HINTS.get(name, "")
        if "enum" in prop:
            out.append(Field(name, title, "choice", needed, hint,
                             tuple((v, LABELS.get(v, v)) for v in prop["enum"])))
        elif prop.get("type") == "string" and prop.get("maxLength", 0) > 200:
            out.append(Field(name, title, "text", needed, hint, widget="textarea",
                             max_length=prop["maxLength"]))
        else:
            out.append(Field(name, title, "text", needed, hint))
    return FormSpec(*out)


def task_form(task, values: dict | None = None, errors: dict | None = None) -> Form:
    prefix = f"t{task.id}-"
    if errors:
        return Form.rejected(spec(task.key), values or {}, errors, prefix)
    return Form(spec(task.key), prefix=prefix)


def data_from(key: str, form) -> dict:
    """The submitted values as the schema types them (strings); an unticked radio is absent."""
    data = {}
    for field in spec(key).fields.values():
        value = form.get(field.name)
        if field.kind != "choice":
            data[field.name] = (value or "").strip()
        elif value:
            data[field.name] = value
    return data


def field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """'data.motif' -> 'motif' (the service names fields from the task's data)."""
    return {k.removeprefix("data."): v for k, v in errors.items()}
