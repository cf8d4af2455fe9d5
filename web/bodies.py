"""Request bodies, before any view reads them (API and UI alike).

- Size limits that hold for chunked transfers. A body sent without Content-Length reaches the
  app only when the server terminates the stream itself (`wsgi.input_terminated`: Werkzeug's
  dev server, gunicorn), and Werkzeug then reads it up to MAX_CONTENT_LENGTH and silently stops
  there: a 50 MB chunked upload was cut at 5 MiB and parsed, a 3.9 MiB chunked JSON body got
  past the 1 MiB limit. Here such a body is read at once, at most limit + 1 bytes: one byte
  more than the limit is a 413; otherwise the body is kept in memory with its Content-Length,
  and every later check (MAX_JSON_BYTES, MAX_CONTENT_LENGTH, the form limits) sees its size.
- JSON that cannot crash a parser: nested deeper than MAX_JSON_DEPTH (the standard parser and
  every recursive walk of the document raised RecursionError, a 500, at about 990 levels, in a
  2 KB body), or with an integer too long to convert (Python refuses more than 4 300 digits:
  ValueError in webargs, a 500) is refused with a 400 before anything parses it.
"""

from __future__ import annotations

import io
import json
import re

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_JSON_DEPTH = 32  # the deepest body of the API (a task's `data`) has fewer than 10 levels
READ_CHUNK = 64 * 1024
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BodyTooLarge(RequestEntityTooLarge):
    pass


class MalformedJson(BadRequest):
    def __init__(self, message: str):
        super().__init__(message)
        self.data = {"message": message}  # read by web.api.problems.from_http_exception


def body_limit() -> int:
    """The most bytes a body of this request may have: MAX_JSON_BYTES for a JSON body sent to
    the API (API.md: 1 MiB), MAX_CONTENT_LENGTH for everything else (BPMN uploads: 5 MiB)."""
    config = current_app.config
    if request.is_json and request.path.startswith("/api/"):
        return min(config["MAX_JSON_BYTES"], config["MAX_CONTENT_LENGTH"])
    return config["MAX_CONTENT_LENGTH"]


def buffer_streamed_body() -> None:
    """A body without Content-Length (chunked) is read now, at most limit + 1 bytes, and given
    a Content-Length; past the limit, 413 without reading the rest."""
    environ = request.environ
    if environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return  # with a Content-Length Werkzeug checks it; else the body is read as empty
    limit = body_limit()
    stream = environ["wsgi.input"]
    buffer = bytearray()
    while len(buffer) <= limit:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - len(buffer)))
        if not chunk:
            break
        buffer.extend(chunk)
    if len(buffer) > limit:
        raise BodyTooLarge()
    environ["wsgi.input"] = io.BytesIO(bytes(buffer))
    environ["CONTENT_LENGTH"] = str(len(buffer))
    del environ["wsgi.input_terminated"]  # now an ordinary body of known length: Werkzeug
    environ.pop("HTTP_TRANSFER_ENCODING", None)  # ignores Content-Length beside "chunked"
    request.__dict__.pop("content_length", None)  # a cached_property read before this hook
    request.__dict__.pop("stream", None)


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings skipped), without
    recursion and without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b"", data)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_json_body() -> None:
    """A JSON body over the size limit is a 413; one nested too deeply, or that the parser
    cannot read (an integer of more than 4 300 digits among others), a 400. Any path: the UI
    takes no JSON, but its NUL check reads a JSON body too."""
    if not request.is_json:
        return
    if (request.content_length or 0) > body_limit():
        raise BodyTooLarge()
    data = request.get_data(cache=True)
    if json_depth(data) > MAX_JSON_DEPTH:
        raise MalformedJson(f"Le JSON envoyé est imbriqué sur plus de {MAX_JSON_DEPTH} niveaux : "
                            "il est refusé.")
    try:
        json.loads(data)
    except RecursionError:  # not expected past the depth check; kept as a last guard
        raise MalformedJson("Le JSON envoyé est imbriqué trop profondément : il est refusé.") \
            from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise MalformedJson("Le JSON envoyé contient un nombre de plus de 4 300 chiffres : "
                                "il est refusé.") from None
        if not data.strip():
            return  # an empty body: the view's own validation names the missing fields
        raise MalformedJson("Le corps de la requête n'est pas un JSON valide.") from None


def init(app: Flask) -> None:
    """First of the app's hooks: before any other reads the body."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_json_body)
    app.before_request_funcs[None].insert(0, buffer_streamed_body)
