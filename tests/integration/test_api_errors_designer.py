"""Every error path of the designers' endpoints (docs/designers.md): 400 malformed JSON, 401,
403 by role, 404 unknown ids, 409 states, 413 oversized bodies, 422 bad fields — problem+json
in French, and nothing stored by a rejected write (same style as test_api_errors_*.py)."""

from __future__ import annotations

import io

import pytest

from services.db import transaction
from services.design import drafts, scenario_runs
from tests.api_errors_support import (
    NUM,
    assert_problem,
    endpoint_id,
    forbidden,
    send,
    unchanged,
)
from tests.designer_support import renamed_volontaire, xml_headers

KEY = "stage_volontaire"
XML = renamed_volontaire()
TEST_RUN = {"features": ["volontaire"]}
DEPLOY = {"override": False, "reason": ""}
MIGRATION = {"version": 1}
BULK = {"from_version": None}

# (method, path, body, roles allowed besides admin); {d} a draft, {r} a test run, {c} a case.
ENDPOINTS = [
    ("GET", f"/api/v1/processes/{KEY}/versions/1/diff", None, {"agent", "designer"}),
    ("GET", f"/api/v1/processes/{KEY}/events", None, {"designer"}),
    ("GET", f"/api/v1/processes/{KEY}/versions/1/migrations", None, {"designer"}),
    ("POST", f"/api/v1/processes/{KEY}/versions/1/migrations", BULK, {"designer"}),
    ("POST", f"/api/v1/processes/{KEY}/drafts", XML, {"designer"}),
    ("GET", f"/api/v1/processes/{KEY}/drafts", None, {"designer"}),
    ("GET", "/api/v1/drafts/{d}", None, {"designer"}),
    ("GET", "/api/v1/drafts/{d}/xml", None, {"designer"}),
    ("GET", "/api/v1/drafts/{d}/diff", None, {"designer"}),
    ("POST", "/api/v1/drafts/{d}/test-runs", TEST_RUN, {"designer"}),
    ("GET", "/api/v1/test-runs/{r}", None, {"designer"}),
    ("POST", "/api/v1/drafts/{d}/deploy", DEPLOY, {"designer"}),
    ("POST", "/api/v1/cases/{c}/migration", MIGRATION, {"designer"}),
]
JSON_BODIES = [e for e in ENDPOINTS if isinstance(e[2], dict)]


@pytest.fixture
def ids(api):
    """A draft, a test run that never started (no sandbox here) and a running case."""
    api.set_today("02/03/2026")
    draft = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=XML, headers=xml_headers()), 201)
    with transaction():
        run_id = scenario_runs.request_run(drafts.get(draft["id"]), ["volontaire"], "designer").id
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    case = api.voluntary_case(NUM)
    return {"d": draft["id"], "r": run_id, "c": case["id"]}


# ---- 401 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_no_or_bad_token_is_401_and_stores_nothing(api, ids, endpoint):
    with unchanged():
        assert_problem(send(api, endpoint, ids, as_=None), 401)
        for header in ("Bearer pas-un-jeton", "Basic YWdlbnQ6eA==", "Bearer "):
            assert_problem(send(api, endpoint, ids, as_=None,
                                headers={"Authorization": header}), 401)


# ---- 403 ----------------------------------------------------------------------------------------

FORBIDDEN = forbidden(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "user"), FORBIDDEN,
                         ids=[f"{endpoint_id(e)} as {u}" for e, u in FORBIDDEN])
def test_wrong_role_is_403_and_stores_nothing(api, ids, endpoint, user):
    with unchanged():
        body = assert_problem(send(api, endpoint, ids, as_=user), 403)
    assert "errors" not in body


def test_forcing_a_deployment_needs_an_admin(api, ids):
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/drafts/{ids['d']}/deploy",
                                       {"override": True, "reason": "urgence"},
                                       as_="designer"), 403)
    assert "administrateur" in body["detail"]


# ---- 400 ----------------------------------------------------------------------------------------

MALFORMED = ['{"features": ', "{'version': 1}", "nimporte quoi", '{"a": 1,}', '{"a": NaN']


@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_malformed_json_is_400_and_stores_nothing(api, ids, endpoint):
    with unchanged():
        for raw in MALFORMED:
            body = assert_problem(send(api, endpoint, ids, as_="designer", raw=raw.encode()),
                                  400)
            assert "JSON" in body["detail"]


@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_json_that_is_not_an_object_is_422(api, ids, endpoint):
    with unchanged():
        assert_problem(send(api, endpoint, ids, as_="designer", raw=b"[1, 2]"), 422)


# ---- 404 ----------------------------------------------------------------------------------------

UNKNOWN = [
    ("GET", "/api/v1/drafts/999", None),
    ("GET", "/api/v1/drafts/999/xml", None),
    ("GET", "/api/v1/drafts/999/diff", None),
    ("POST", "/api/v1/drafts/999/test-runs", TEST_RUN),
    ("POST", "/api/v1/drafts/999/deploy", DEPLOY),
    ("POST", "/api/v1/drafts/999/deploy", {"override": True, "reason": "x"}),
    ("GET", "/api/v1/test-runs/999", None),
    ("POST", "/api/v1/cases/999/migration", MIGRATION),
    ("GET", f"/api/v1/processes/{KEY}/versions/99/diff", None),
    ("GET", f"/api/v1/processes/{KEY}/versions/1/diff?against=99", None),
    ("GET", "/api/v1/processes/inconnu/versions/1/diff", None),
    ("GET", f"/api/v1/processes/{KEY}/versions/99/migrations", None),
    ("POST", f"/api/v1/processes/{KEY}/versions/99/migrations", BULK),
    ("GET", "/api/v1/drafts/abc", None),
    ("GET", "/api/v1/test-runs/abc", None),
]


@pytest.mark.parametrize(("method", "path", "body"), UNKNOWN,
                         ids=[f"{m} {p}" for m, p, _ in UNKNOWN])
def test_unknown_id_in_path_is_404_and_stores_nothing(api, ids, method, path, body):
    with unchanged():
        assert_problem(api.request(method, path, body, as_="admin"), 404)


# ---- 409 ----------------------------------------------------------------------------------------

def test_deploying_a_draft_whose_run_has_not_passed_is_409(api, ids):
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/drafts/{ids['d']}/deploy", DEPLOY,
                                       as_="designer"), 409)
    assert "en_attente" in body["detail"]
    assert "scénarios" in body["detail"] and "administrateur" in body["detail"]


def test_deploying_a_draft_twice_is_409(api, ids):
    api.ok(api.post(f"/api/v1/drafts/{ids['d']}/deploy", {"override": True, "reason": "essai"},
                    as_="admin"), 201)
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/drafts/{ids['d']}/deploy",
                                       {"override": True, "reason": "encore"}, as_="admin"), 409)
    assert "déjà déployé" in body["detail"]


def test_migrating_a_case_to_its_own_version_is_409(api, ids):
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/cases/{ids['c']}/migration", MIGRATION,
                                       as_="designer"), 409, "version")
    assert "déjà sur la version 1" in body["errors"]["version"][0]


# ---- 413 ----------------------------------------------------------------------------------------

BIG_XML = b"<definitions>" + b" " * (5 * 1024 * 1024) + b"</definitions>"


def test_draft_over_5_mib_is_413_and_stores_nothing(api, ids):
    with unchanged():
        assert_problem(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                                   raw=BIG_XML, headers=xml_headers()), 413)
        resp = api.http.post(f"/api/v1/processes/{KEY}/drafts",
                             headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                             data={"file": (io.BytesIO(BIG_XML), "stage_volontaire.bpmn")},
                             content_type="multipart/form-data")
        assert_problem(resp, 413)


@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_json_body_over_1_mib_is_413(api, ids, endpoint):
    big = dict(endpoint[2], pad="x" * (1024 * 1024 + 1))
    with unchanged():
        resp = api.request(endpoint[0], endpoint[1].format(**ids), big, as_="designer")
        assert_problem(resp, 413)


# ---- 422 ----------------------------------------------------------------------------------------

BAD_BODIES = [
    ("/api/v1/drafts/{d}/test-runs", {"features": "volontaire"}, "features"),
    ("/api/v1/drafts/{d}/test-runs", {"features": [1]}, "features.0"),
    ("/api/v1/drafts/{d}/test-runs", {"features": [""]}, "features.0"),
    ("/api/v1/drafts/{d}/test-runs", {"features": ["volontaire", "absente"]}, "features.1"),
    ("/api/v1/drafts/{d}/test-runs", {"fonctionnalites": []}, "fonctionnalites"),
    ("/api/v1/drafts/{d}/deploy", {"override": "peut-être"}, "override"),
    ("/api/v1/drafts/{d}/deploy", {"reason": "x" * 2001}, "reason"),
    ("/api/v1/drafts/{d}/deploy", {"override": False, "inconnu": 1}, "inconnu"),
    ("/api/v1/cases/{c}/migration", {}, "version"),
    ("/api/v1/cases/{c}/migration", {"version": "2"}, "version"),
    ("/api/v1/cases/{c}/migration", {"version": 0}, "version"),
    ("/api/v1/cases/{c}/migration", {"version": 99}, "version"),
    (f"/api/v1/processes/{KEY}/versions/1/migrations", {"from_version": "1"}, "from_version"),
    (f"/api/v1/processes/{KEY}/versions/1/migrations", {"version": 1}, "version"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD_BODIES,
                         ids=[f"{p} {f}" for p, _, f in BAD_BODIES])
def test_bad_fields_are_422_naming_them_and_store_nothing(api, ids, path, body, field):
    with unchanged():
        resp = api.post(path.format(**ids), body, as_="designer")
        assert_problem(resp, 422, field)


def test_forced_deployment_without_a_reason_is_422(api, ids):
    with unchanged():
        for reason in ("", "   "):
            assert_problem(api.post(f"/api/v1/drafts/{ids['d']}/deploy",
                                    {"override": True, "reason": reason}, as_="admin"),
                           422, "reason")


BAD_QUERIES = [
    ("GET", f"/api/v1/processes/{KEY}/versions/2/diff?against=abc", "against"),
    ("GET", f"/api/v1/processes/{KEY}/versions/1/diff?against=0", "against"),
    ("GET", f"/api/v1/processes/{KEY}/versions/1/diff?contre=1", "contre"),
    ("GET", f"/api/v1/processes/{KEY}/events?per_page=500", "per_page"),
    ("GET", f"/api/v1/processes/{KEY}/drafts?page=0", "page"),
    ("GET", f"/api/v1/processes/{KEY}/versions/1/migrations?per_page=0", "per_page"),
    ("POST", f"/api/v1/processes/{KEY}/drafts?based_on=99", "based_on"),
    ("POST", f"/api/v1/processes/{KEY}/drafts?based_on=abc", "based_on"),
    ("POST", f"/api/v1/processes/{KEY}/drafts?base=1", "base"),
]


@pytest.mark.parametrize(("method", "path", "field"), BAD_QUERIES,
                         ids=[f"{m} {p}" for m, p, _ in BAD_QUERIES])
def test_bad_query_parameters_are_422_naming_them(api, ids, method, path, field):
    with unchanged():
        resp = api.request(method, path, as_="designer", raw=XML if method == "POST" else None,
                           headers=xml_headers() if method == "POST" else None)
        assert_problem(resp, 422, field)


def test_empty_or_unsafe_draft_is_422(api, ids):
    with unchanged():
        for raw in (b"", b"<x>", b'<!DOCTYPE x [<!ENTITY e "e">]><x/>'):
            resp = api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=raw, headers=xml_headers())
            assert_problem(resp, 422)


BIG = 2**31  # one past PostgreSQL's INTEGER: the database would raise on it
HUGE = 10**20


@pytest.mark.parametrize("path", [
    f"/api/v1/processes/{KEY}/versions/{BIG}", f"/api/v1/processes/{KEY}/versions/{HUGE}/diff",
    f"/api/v1/drafts/{HUGE}", f"/api/v1/drafts/{BIG}/xml", f"/api/v1/test-runs/{HUGE}",
    f"/api/v1/cases/{HUGE}", f"/api/v1/processes/{KEY}/versions/{BIG}/migrations",
])
def test_a_number_too_large_for_the_database_in_a_path_is_404(api, path):
    assert_problem(api.get(path, as_="admin"), 404)


@pytest.mark.parametrize(("method", "path", "body", "query", "field"), [
    ("GET", f"/api/v1/processes/{KEY}/versions/1/diff", None, {"against": HUGE}, "against"),
    ("POST", f"/api/v1/processes/{KEY}/drafts", XML, {"based_on": BIG}, "based_on"),
    ("GET", f"/api/v1/processes/{KEY}/drafts", None, {"page": HUGE}, "page"),
    ("POST", "/api/v1/cases/{c}/migration", {"version": BIG}, {}, "version"),
    ("POST", f"/api/v1/processes/{KEY}/versions/1/migrations", {"from_version": HUGE}, {},
     "from_version"),
    ("POST", "/api/v1/cases/{c}/enrollment", {"session": HUGE}, {}, "session"),
    ("GET", "/api/v1/tasks", None, {"case": HUGE}, "case"),
])
def test_a_number_too_large_for_the_database_in_a_field_is_422(api, ids, method, path, body,
                                                                query, field):
    with unchanged():
        assert_problem(send(api, (method, path, body), ids, as_="admin", **query), 422, field)


@pytest.mark.parametrize(("method", "path", "body", "query"), [
    ("GET", f"/api/v1/processes/{KEY}%00/versions/1", None, {}),
    ("GET", f"/api/v1/processes/{KEY}%00/events", None, {}),
    ("POST", f"/api/v1/processes/{KEY}%00/drafts", XML, {}),
    ("GET", f"/api/v1/processes/{KEY}%00/versions/1/migrations", None, {}),
    ("GET", "/api/v1/cases", None, {"q": "mar\x00tin"}),
    ("POST", "/api/v1/drafts/{d}/deploy", {"override": True, "reason": "ur\x00gent"}, {}),
    ("POST", "/api/v1/drafts/{d}/test-runs", {"features": ["volon\x00taire"]}, {}),
])
def test_a_nul_character_anywhere_in_a_call_is_400(api, ids, method, path, body, query):
    """PostgreSQL text cannot hold a NUL character: the database raised (a 500)."""
    with unchanged():
        resp = send(api, (method, path, body), ids, as_="admin", **query)
        assert "caractère nul" in assert_problem(resp, 400)["detail"]
