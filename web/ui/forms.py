"""A task's form, rendered from its form-js document (docs/process-bundle.md) and read back as
the data the service checks (services/tasks.py: the JSON Schema computed from the same
document, French messages per field)."""

from __future__ import annotations

import datetime as dt
import json
import re

from services import tasks
from web.ui.formdata import Field, Form, FormSpec

NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _field(n: int, c) -> Field:
    if c.type == "text":  # read-only text: shown, never sent
        return Field(f"_texte_{n}", c.text or c.label, "static", widget="static")
    common = {"required": c.required, "hint": c.description}
    if c.type == "textarea":
        return Field(c.key, c.label, "text", widget="textarea", max_length=c.max_length,
                     **common)
    if c.type == "number":
        return Field(c.key, c.label, "decimal", **common)
    if c.type == "datetime":
        return Field(c.key, c.label, "date", **common)
    if c.type == "checkbox":
        return Field(c.key, c.label, "bool", **common)
    if c.type in ("radio", "select"):
        return Field(c.key, c.label, "choice", choices=tuple(c.values),
                     widget="select" if c.type == "select" else "radio", **common)
    return Field(c.key, c.label, "text", max_length=c.max_length, **common)


def spec(task) -> FormSpec:
    """The task's fields as a form of the UI (none for a confirmation or an unreadable form)."""
    return spec_of(tasks.task_form(task).form)


def spec_of(form_js) -> FormSpec:
    """The fields of a parsed form-js document (None: no field); the designers' preview
    (web/ui/form_preview.py) renders a form being edited through it, as a clerk would see it."""
    if form_js is None:
        return FormSpec()
    return FormSpec(*(_field(n, c) for n, c in enumerate(form_js.components, 1)))


def problem(task) -> str | None:
    """Why the task's form cannot be read (French), if it cannot."""
    return tasks.task_form(task).problem


def task_form(task, values: dict | None = None, errors: dict | None = None) -> Form:
    """The task's form: empty, as refused, or as sent back from its confirmation (the values
    kept, no error)."""
    if values is not None and not errors:
        return Form.rejected(spec(task), values, {}, f"t{task.id}-")
    return form_of(spec(task), f"t{task.id}-", values, errors)


def form_of(fields: FormSpec, prefix: str, values: dict | None = None,
            errors: dict | None = None) -> Form:
    """A task's form to render: empty, or as refused (what was typed, the errors)."""
    if errors:
        return Form.rejected(fields, values or {}, errors, prefix)
    return Form(fields, prefix=prefix)


def data_from(task, form) -> dict:
    """The submitted values typed as the form says: text as typed (trimmed; empty, it is sent
    empty, "Ne peut pas être vide." where required, unless an optional field has a pattern), a
    number as a number, a date as `YYYY-MM-DD`, a checkbox as a boolean; an empty number, date
    or choice is absent (the service then says "Champ obligatoire." where one is required)."""
    return data_of(tasks.task_form(task).form, form)


def data_of(form_js, form) -> dict:
    """`data_from` for a parsed form-js document (None: no field)."""
    data: dict = {}
    for field in spec_of(form_js).fields.values():
        if field.kind == "static":
            continue
        value = form.get(field.name)
        if field.kind == "bool":
            data[field.name] = value in ("on", "1", "true", "oui")
        elif field.kind == "text":
            text = (value or "").strip()
            declared = form_js.field(field.name) if form_js else None
            if text or not (declared and declared.pattern and not declared.required):
                data[field.name] = text  # an empty optional text with a pattern is absent
        elif (value or "").strip():
            value = value.strip()
            if field.kind == "decimal" and NUMBER.match(value.replace(" ", "")):
                number = float(value.replace(" ", "").replace(",", "."))
                value = int(number) if number.is_integer() and "." not in value \
                    and "," not in value else number
            data[field.name] = value
    return data


def confirmation(task, data: dict) -> dict | None:
    """What the designer asks a clerk to confirm before these data complete the task: the first
    choice field whose chosen value its custom property `confirmer` names (workflows/forms.py),
    as {"label": "Décision : Refuser", "warning", "button"}; None when nothing is asked."""
    form_js = tasks.task_form(task).form
    for field in form_js.fields if form_js else ():
        if field.confirm and data.get(field.key) in field.confirm:
            return {"label": f"{field.label} : {_shown(field, data[field.key])}",
                    "warning": field.warning, "button": field.confirm_button}
    return None


def sent_fields(task, form) -> list[tuple[str, str]]:
    """(name, value as typed) of the task's fields in a POST: the confirming form sends them
    again, so that the confirmed POST reads exactly what was confirmed."""
    return [(name, form[name]) for name, field in spec(task).fields.items()
            if field.kind != "static" and name in form]


def field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """'data.motif' -> 'motif' (the service names fields from the task's data)."""
    return {k.removeprefix("data."): v for k, v in errors.items()}


def _shown(field, value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field is not None and field.values:
        return dict(field.values).get(value, str(value))
    if field is not None and field.type == "datetime" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, float):
        return str(value).replace(".", ",") if not value.is_integer() else str(int(value))
    if value is None or value == "":
        return "—"
    return str(value)


def answers(task, data: dict | None = None) -> list[tuple[str, str]]:
    """(label, value in French) of each answer a completed task took (or `data`, the answers
    about to be confirmed), in the form's order."""
    if data is None:
        try:
            data = json.loads(task.data or "{}")
        except ValueError:
            return []
    if not isinstance(data, dict) or not data:
        return []
    form = tasks.task_form(task).form
    fields = {f.key: f for f in form.fields} if form else {}
    order = [k for k in fields if k in data] + [k for k in data if k not in fields]
    return [(fields[k].label if k in fields else k, _shown(fields.get(k), data[k]))
            for k in order]
