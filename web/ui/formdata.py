"""HTML forms read into the API's own marshmallow schemas, so that a form and the REST API refuse
the same input with the same French messages under the same field paths ("holder.birth_date",
"letter_48n.received_on"); and the state of a form to render again: what was typed, the errors.

A form field is named by its API path. Its value is typed the way a JSON client would send it
(an integer for an integer field, a boolean for a checkbox); an empty field is left out, so the
schema says "Champ obligatoire." where the API would.

Unlike the API, which tells a body's schema errors first and its service's checks (dates in
order, R5, D11…) only once the schema passes, a form tells both in one answer: `load` runs the
service's own checks (`checks`) on the fields the schema accepted, so that a clerk who made both
kinds of mistakes does not fix the fields only to meet a second round of errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from marshmallow import ValidationError

from services.errors import Invalid, ServiceError
from web.api.problems import flatten

INTEGER = re.compile(r"^[+-]?\d+$")
DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class Field:
    name: str  # the API's dotted path
    label: str
    kind: str = "text"  # the value's type: text | date | int | decimal | bool | choice
    required: bool = False  # shown to people; the schema decides
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    widget: str = ""  # input | textarea | radio | select | checkbox (default from the kind)
    max_length: int | None = None

    @property
    def id(self) -> str:
        return self.name.replace(".", "-")

    @property
    def control(self) -> str:
        return self.widget or {"bool": "checkbox", "choice": "radio"}.get(self.kind, "input")


class FormSpec:
    """The fields of one form; `groups` are nested objects always sent (their own fields are
    then reported one by one), the other groups only when one of their fields is filled."""

    def __init__(self, *fields: Field, groups: tuple[str, ...] = ()):
        self.fields = {f.name: f for f in fields}
        self.groups = groups

    def data(self, form: Mapping[str, str]) -> dict:
        data: dict = {group: {} for group in self.groups}
        for field in self.fields.values():
            raw = form.get(field.name)
            if field.kind == "bool":
                value = raw in ("on", "1", "true", "oui")
            else:
                raw = (raw or "").strip()
                if raw == "":
                    continue
                value = _typed(field.kind, raw)
            target = data
            *parents, leaf = field.name.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return data

    def load(self, schema_cls, form: Mapping[str, str], extra: dict | None = None,
             checks: Callable[[dict], list[tuple[str, str]]] | None = None) -> dict:
        """The schema's data, or Invalid with the API's flat field paths and messages.

        `checks`: the service's cross-field checks, as it makes them on the schema's data
        (services/licences.py `licence_problems`…, every problem as (path, message)); when the
        schema refuses some fields, they are made on the fields it accepted (a check whose
        inputs are absent is skipped) and their problems join the fields' errors, except on a
        field already refused (it is told its own error only). When the schema passes, the
        service makes them itself."""
        try:
            return schema_cls().load({**self.data(form), **(extra or {})})
        except ValidationError as exc:
            errors = flatten(exc.messages)
            valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
            refused = set(errors)
            for path, message in checks(valid) if checks is not None else ():
                if path not in refused:
                    errors.setdefault(path, []).append(message)
            raise Invalid("Certaines données sont invalides.", errors) from None


def _typed(kind: str, raw: str):
    if kind == "int" and INTEGER.match(raw):
        return int(raw)
    if kind == "decimal":
        cleaned = raw.replace(" ", "").replace("\u00a0", "").removesuffix("€")
        if DECIMAL.match(cleaned):
            return cleaned.replace(",", ".")
    return raw  # as typed: the schema refuses it with its own message


class Form:
    """A form to render: its fields, the values typed (or the defaults), the errors by path."""

    def __init__(self, spec: FormSpec, values: Mapping[str, str] | None = None,
                 errors: Mapping[str, list[str]] | None = None, submitted: bool = False,
                 prefix: str = ""):
        self.spec = spec
        self.prefix = prefix  # element ids, when one page shows several forms of one spec
        self.values = dict(values or {})
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        self.submitted = submitted

    @classmethod
    def rejected(cls, spec: FormSpec, form: Mapping[str, str], errors: Mapping[str, list[str]],
                 prefix: str = ""):
        values = {k: form.get(k, "") for k in form if k != "csrf_token"}
        return cls(spec, values, errors, submitted=True, prefix=prefix)

    @classmethod
    def refused(cls, spec: FormSpec, form: Mapping[str, str], exc: ServiceError,
                field: str = "_schema"):
        """The form again after the service refused it: the errors by field, or the refusal's
        message under `field` (a conflict names no field; "_schema" is the summary only)."""
        return cls.rejected(spec, form, exc.errors or {field: [exc.detail]})

    def field(self, name: str) -> Field:
        return self.spec.fields[name]

    def field_id(self, name: str) -> str:
        return self.prefix + self.spec.fields[name].id

    def value(self, name: str, default: str = "") -> str:
        if self.submitted:
            return self.values.get(name, "")
        return str(self.values.get(name, default))

    def checked(self, name: str) -> bool:
        value = self.values.get(name)
        return value in (True, "on", "1", "true", "oui")

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def summary(self) -> list[tuple[str | None, str]]:
        """(anchor id or None, "Label : message") for each error, fields in form order first."""
        out = []
        for name, field in self.spec.fields.items():
            for message in self.errors.get(name, ()):
                out.append((self.field_id(name), f"{field.label} : {message}"))
        for name, messages in self.errors.items():
            if name not in self.spec.fields:
                for message in messages:
                    out.append((None, message))
        return out
