"""The REST API (API.md): flask-smorest blueprints whose marshmallow schemas also make the
OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from services.errors import ServiceError
from web import bodies
from web.api import (
    actions,
    admin_journal,
    cases,
    clock,
    designer,
    exports,
    groups,
    incidents,
    letters,
    licences,
    openapi,
    processes,
    sessions,
    statistics,
    tasks,
)
from web.api.problems import from_http_exception, from_service_error, from_unexpected, problem
from web.api.uploads import refuse_non_json_body
from web.nul import request_has_nul


class NulRefused(ServiceError):
    status = 400
    title = "Requête mal formée"


def refuse_nul() -> None:
    """A NUL character in an API call's path, query or JSON body is refused (400) before it
    reaches the database: PostgreSQL text cannot hold one (it raised: a 500), and no field of
    the API takes one. (A BPMN body with one is not XML: its parser refuses it, 422.)"""
    if request.path.startswith("/api/") and request_has_nul():
        raise NulRefused("La requête contient un caractère nul : elle est refusée.")


class ProblemApi(Api):
    """Every HTTP error as application/problem+json, in French; so says the document."""

    def handle_http_exception(self, error):
        return from_http_exception(error)

    def _register_responses(self):
        openapi.register_problem_responses(self)


def init_api(app: Flask) -> Api:
    api = ProblemApi(app, spec_kwargs={
        "info": {"description": "API REST v1 — voir API.md"},
        "security": [{"bearer": []}],  # every operation needs a token (401 without)
        "extra_plugins": [openapi.ErrorResponsesPlugin()]})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.ma_plugin.converter.add_attribute_function(openapi.decimal_bounds_as_numbers)
    for blp in (licences.blp, sessions.centres_blp, sessions.blp, cases.blp, tasks.blp,
                processes.blp, designer.blp, incidents.blp, clock.blp, exports.blp,
                statistics.blp, groups.blp, groups.users_blp, actions.blp, actions.outbox_blp,
                letters.blp, admin_journal.blp):
        api.register_blueprint(blp)
    app.register_error_handler(ServiceError, from_service_error)

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        return from_unexpected(error)

    bodies.init(app)  # size limits (chunked bodies too) and JSON depth, before anything reads

    app.before_request(refuse_nul)
    app.before_request(refuse_non_json_body)

    @app.route("/api/v1/docs")
    def api_docs():
        return _docs_page(api), 200, DOCS_HEADERS

    @app.after_request
    def _api_headers(response):
        # JSON answers are no page: nothing in them may load, run or be framed.
        if request.path.startswith("/api/"):
            for name, value in API_HEADERS.items():
                response.headers.setdefault(name, value)
        return response

    @app.errorhandler(413)
    def _too_large(_error):
        return problem(413)

    return api


def _docs_page(api: Api) -> str:
    """A browsable view of the OpenAPI document, without any external script."""
    from flask import render_template_string
    spec = api.spec.to_dict()
    return render_template_string(DOCS_TEMPLATE, spec=spec)


DOCS_STYLE = """body{font-family:Marianne,Arial,sans-serif;max-width:70rem;margin:2rem auto;\
padding:0 1rem}
code{background:#eee;padding:0 .2rem}h2{border-bottom:1px solid #ccc}
.m{display:inline-block;min-width:4rem;font-weight:bold}"""
# The docs page is server-rendered HTML: no script at all (no Swagger UI, no ReDoc, no CDN),
# its one inline style allowed by its hash, nothing else loaded, never framed.
DOCS_HEADERS = {
    "Content-Security-Policy": "; ".join((
        "default-src 'none'",
        "style-src 'sha256-" + base64.b64encode(hashlib.sha256(DOCS_STYLE.encode()).digest())
        .decode() + "'",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'")),
    "X-Frame-Options": "DENY",
}
API_HEADERS = {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
               "X-Frame-Options": "DENY"}

DOCS_TEMPLATE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{{ spec.info.title }} — documentation de l'API</title>
<style>""" + DOCS_STYLE + """</style></head><body>
<h1>{{ spec.info.title }}</h1>
<p>Document OpenAPI : <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>
{% for path, ops in spec.paths.items() %}<h2><code>{{ path }}</code></h2><ul>
{% for method, op in ops.items() if method in ['get','post','put','delete','patch'] %}
<li><span class="m">{{ method|upper }}</span> {{ op.summary or '' }}
 — réponses : {% for code in op.responses %}<code>{{ code }}</code> {% endfor %}</li>{% endfor %}
</ul>{% endfor %}</body></html>"""
