"""A task's form, rendered from its JSON Schema and read back as the data the service checks."""

from __future__ import annotations

from web.ui.formdata import Field, Form, FormSpec
from workflows import form_schema

LABELS = {
    "valider": "Valider l'attestation", "refuser": "Refuser", "crediter": "Créditer les points",
    "signaler": "Signaler au parquet", "ne_pas_signaler": "Ne pas signaler",
}
HINTS = {"motif": "Obligatoire en cas de refus ; il figure dans l'historique du dossier."}


def fields(key: str) -> list[dict]:
    schema = form_schema(key)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        field = {"name": name, "title": prop.get("title", name), "required": name in required,
                 "hint": HINTS.get(name, "")}
        if "enum" in prop:
            field["kind"] = "radio"
            field["options"] = [(v, LABELS.get(v, v)) for v in prop["enum"]]
        elif prop.get("type") == "string" and prop.get("maxLength", 0) > 200:
            field["kind"] = "textarea"
            field["max_length"] = prop["maxLength"]
        else:
            field["kind"] = "text"
        out.append(field)
    return out


def spec(key: str) -> FormSpec:
    """The task's fields as a form of the UI (radios for an enum, a text area for long text)."""
    out = []
    for f in fields(key):
        if f["kind"] == "radio":
            out.append(Field(f["name"], f["title"], "choice", f["required"], f["hint"],
                             tuple(f["options"])))
        else:
            out.append(Field(f["name"], f["title"], "text", f["required"], f["hint"],
                             widget="textarea" if f["kind"] == "textarea" else "",
                             max_length=f.get("max_length")))
    return FormSpec(*out)


def task_form(task, values: dict | None = None, errors: dict | None = None) -> Form:
    prefix = f"t{task.id}-"
    if errors:
        return Form.rejected(spec(task.key), values or {}, errors, prefix)
    return Form(spec(task.key), prefix=prefix)


def data_from(key: str, form) -> dict:
    """The submitted values as the schema types them (strings); an unticked radio is absent."""
    data = {}
    for field in fields(key):
        value = form.get(field["name"])
        if field["kind"] == "radio":
            if value:
                data[field["name"]] = value
        else:
            data[field["name"]] = (value or "").strip()
    return data


def field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """'data.motif' -> 'motif' (the service names fields from the task's data)."""
    return {k.removeprefix("data."): v for k, v in errors.items()}
