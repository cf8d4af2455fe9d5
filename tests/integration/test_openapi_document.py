"""The OpenAPI document describes the error answers (application/problem+json, the statuses
each operation can return), the query parameters and what happens to undeclared ones, the
bearer scheme, and writes numeric bounds as numbers (issue 12, item 10)."""

from __future__ import annotations

import re

import pytest

from tests.api_errors_support import assert_problem

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(api):
    return api.ok(api.get("/api/v1/openapi.json", as_=None))


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(spec, ref_or_object):
    ref = ref_or_object.get("$ref")
    if ref is None:
        return ref_or_object
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_error_answer_of_every_operation_is_problem_json(spec):
    problem = spec["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    count = 0
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                content = resolve(spec, response)["content"]
                assert list(content) == ["application/problem+json"], (path, method, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/ProblemDetails"}
                count += 1
    assert count > 200


def test_each_operation_lists_the_errors_it_can_answer(spec):
    for path, method, operation in operations(spec):
        codes = set(operation["responses"])
        assert {"400", "401", "403", "default"} <= codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method != "get":
            assert {"409", "413"} <= codes, (path, method)
        if "requestBody" in operation or any(p["in"] == "query"
                                             for p in operation.get("parameters", [])):
            assert "422" in codes, (path, method)
        else:  # nothing it reads can be refused as invalid (a sent body is ignored)
            assert "422" not in codes, (path, method)
    for throttled in ("/api/v1/drafts/{draft_id}/test-runs",
                      "/api/v1/sessions/{session_id}/enrollment"):
        too_many = resolve(spec, spec["paths"][throttled]["post"]["responses"]["429"])
        assert "Retry-After" in too_many["headers"]
    assert spec["security"] == [{"bearer": []}]


def test_error_answers_are_explained_in_french(spec):
    responses = spec["components"]["responses"]
    assert "chunked" in responses["REQUEST_ENTITY_TOO_LARGE"]["description"]
    assert "Jeton" in responses["UNAUTHORIZED"]["description"]


def test_query_parameters_are_declared_and_unknown_ones_said_refused(spec, api):
    cases = spec["paths"]["/api/v1/cases"]["get"]
    assert {p["name"] for p in cases["parameters"]} == {"page", "per_page", "status", "licence",
                                                         "q", "overdue"}
    for path, method, operation in operations(spec):
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert operation["x-unknown-query-parameters"] == "refused", (path, method)
            assert "paramètre de requête autre que ceux déclarés" in operation["description"]
    assert_problem(api.get("/api/v1/cases", inconnu="1"), 422, "inconnu")


def test_a_decimal_maximum_is_a_number(spec):
    amount = spec["components"]["schemas"]["Fine"]["properties"]["amount"]
    assert amount["type"] == "number"
    assert amount["minimum"] == 0 and amount["maximum"] == 100000
    assert isinstance(amount["maximum"], int | float) and not isinstance(amount["maximum"], bool)

    def numbers_only(node, where="$"):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("minimum", "maximum"):
                    assert isinstance(value, int | float), (where, key, value)
                numbers_only(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                numbers_only(value, f"{where}.{i}")

    numbers_only(spec)


def throttled_operations(app) -> set[tuple[str, str]]:
    """(path, method) of the API's views that Flask-Limiter throttles (web/throttling.py), found
    from the limiter's own record of its decorated views, not from a list."""
    from flask_limiter.util import get_qualified_name

    from web.throttling import limiter

    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith("/api/") and limiter.limit_manager.decorated_limits(
                get_qualified_name(view)):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_operation_declares_503_and_every_throttled_one_429_with_retry_after(spec, app):
    """Every operation reads its caller from the database (web/auth.py): 503 problem+json with
    Retry-After when the database does not answer. The throttled ones (a centre's enrolments by
    licence, the scenario runs' queue) declare 429 with Retry-After."""
    for path, method, operation in operations(spec):
        unavailable = resolve(spec, operation["responses"].get("503", {"description": ""}))
        assert "base de données ne répond pas" in unavailable["description"], (path, method)
        assert unavailable["headers"]["Retry-After"]["required"] is True, (path, method)
        assert list(unavailable["content"]) == ["application/problem+json"], (path, method)
    throttled = throttled_operations(app) | {("/api/v1/drafts/{draft_id}/test-runs", "post")}
    assert ("/api/v1/sessions/{session_id}/enrollment", "post") in throttled
    for path, method in throttled:
        too_many = resolve(spec, spec["paths"][path][method]["responses"]["429"])
        assert too_many["headers"]["Retry-After"]["required"] is True, (path, method)
