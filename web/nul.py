"""NUL characters in a request: PostgreSQL text cannot hold one (it raises, a 500), and no field
of the API or the UI takes one, so both refuse such a request (400) before it reaches the
database."""

from __future__ import annotations

from flask import request


def _strings(value):
    """Every string in a JSON value, keys included; a loop, not a recursion (a deep document
    made a recursive walk raise RecursionError: a 500)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def request_has_nul() -> bool:
    """The path, the query, a posted form and a JSON body of the current request."""
    parts = [request.path, *_strings(request.args.to_dict(flat=False))]
    if request.method == "POST" and request.form:
        parts.extend(_strings(request.form.to_dict(flat=False)))
    if request.is_json:
        try:
            parts.extend(_strings(request.get_json(silent=True)))
        except RecursionError:  # web.bodies refuses such a body first; never a 500 here
            return False
    return any("\x00" in part for part in parts)
