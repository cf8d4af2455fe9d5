"""NUL characters in a request: PostgreSQL text cannot hold one (it raises, a 500), and no field
of the API or the UI takes one, so both refuse such a request (400) before it reaches the
database."""

from __future__ import annotations

from flask import request


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def request_has_nul() -> bool:
    """The path, the query, a posted form and a JSON body of the current request."""
    parts = [request.path, *_strings(request.args.to_dict(flat=False))]
    if request.method == "POST" and request.form:
        parts.extend(_strings(request.form.to_dict(flat=False)))
    if request.is_json:
        parts.extend(_strings(request.get_json(silent=True)))
    return any("\x00" in part for part in parts)
