"""Every endpoint of API.md against malformed JSON (400), missing or bad tokens (401), wrong
roles (403), unknown path ids (404) and oversized bodies (413): problem+json in French, and
nothing stored by a rejected write."""

from __future__ import annotations

import pytest

from tests.api_errors_support import (
    CENTRE,
    NUM,
    assert_problem,
    endpoint_id,
    forbidden,
    send,
    unchanged,
)

LICENCE = {"number": "120175200777", "probation": "classic", "obtained_on": "2025-09-01",
           "holder": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2004-05-02"}}
INFRACTION = {"committed_on": "2026-02-01", "points": 3, "offence_class": "C4",
              "label": "Excès de vitesse", "decision_on": "2026-02-01"}
INVALIDATION = {"decision_on": "2026-02-10", "notified_on": "2026-02-12"}
CENTRE_BODY = {"agrement": "R2401300030", "name": "Centre Marseille", "departement": "13",
               "valid_until": "2030-12-31"}
CENTRE_PATCH = {"email": "stages@centre.fr"}
SESSION = {"centre": CENTRE, "day1": "2026-06-12", "day2": "2026-06-13", "capacity": 20}
CANCEL = {"on": "2026-03-02", "reason": "effectif insuffisant"}
ATTENDANCE = {"records": []}
CASE = {"kind": "volontaire", "licence": NUM}
ENROLLMENT = {"session": 1}
SESSION_ENROLLMENT = {"licence": NUM}
ATTESTATION = {"received_on": "2026-03-02"}
COMPLETE = {"data": {"decision": "valider"}}
CLOCK = {"today": "2026-03-05"}
BPMN = b"<definitions/>"

# (method, path, body, roles allowed besides admin); {s} a session of CENTRE, {c} a case.
ENDPOINTS = [
    ("POST", "/api/v1/licences", LICENCE, {"agent"}),
    ("GET", f"/api/v1/licences/{NUM}", None, {"agent"}),
    ("GET", f"/api/v1/licences/{NUM}/balance?on=2026-03-01", None, {"agent"}),
    ("POST", f"/api/v1/licences/{NUM}/infractions", INFRACTION, {"agent"}),
    ("POST", f"/api/v1/licences/{NUM}/invalidation", INVALIDATION, {"agent"}),
    ("POST", "/api/v1/centres", CENTRE_BODY, {"agent"}),
    ("GET", f"/api/v1/centres/{CENTRE}", None, {"agent", "centre"}),
    ("GET", "/api/v1/centres", None, {"agent", "centre"}),
    ("PATCH", f"/api/v1/centres/{CENTRE}", CENTRE_PATCH, {"agent"}),
    ("GET", f"/api/v1/centres/{CENTRE}/history", None, {"agent"}),
    ("POST", "/api/v1/sessions", SESSION, {"agent", "centre"}),
    ("GET", "/api/v1/sessions", None, {"agent", "centre"}),
    ("GET", "/api/v1/sessions/{s}", None, {"agent", "centre"}),
    ("POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"agent", "centre"}),
    ("POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE, {"agent", "centre"}),
    ("POST", "/api/v1/sessions/{s}/enrollment", SESSION_ENROLLMENT, {"agent", "centre"}),
    ("POST", "/api/v1/cases", CASE, {"agent"}),
    ("GET", "/api/v1/cases", None, {"agent"}),
    ("GET", "/api/v1/cases/{c}", None, {"agent"}),
    ("POST", "/api/v1/cases/{c}/enrollment", ENROLLMENT, {"agent"}),
    ("POST", "/api/v1/cases/{c}/attestation", ATTESTATION, {"agent"}),
    ("GET", "/api/v1/cases/{c}/events", None, {"agent"}),
    ("GET", "/api/v1/tasks", None, {"agent"}),
    ("POST", "/api/v1/tasks/1/claim", None, {"agent"}),
    ("POST", "/api/v1/tasks/1/unclaim", None, {"agent"}),
    ("POST", "/api/v1/tasks/1/complete", COMPLETE, {"agent"}),
    ("GET", "/api/v1/processes", None, {"agent", "designer"}),
    ("GET", "/api/v1/processes/stage_obligatoire/versions/1", None, {"agent", "designer"}),
    ("POST", "/api/v1/processes/stage_obligatoire/versions", BPMN, {"designer"}),
    ("GET", "/api/v1/clock", None, {"agent", "designer", "centre"}),
    ("PUT", "/api/v1/clock", CLOCK, set()),
    ("POST", "/api/v1/timers/run", None, set()),
]
JSON_BODIES = [e for e in ENDPOINTS if isinstance(e[2], dict)]


@pytest.fixture
def ids(api):
    """One licence, one session of CENTRE and one voluntary case, so paths name real ids."""
    api.set_today("02/03/2026")
    api.licence(NUM)
    api.infraction(NUM, "01/02/2026", points=1)  # R29: needs a retrait
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    case = api.voluntary_case(NUM)
    return {"s": session["id"], "c": case["id"]}


BAD_AUTHORIZATIONS = ["Bearer pas-un-jeton", "Bearer ", "Basic YWdlbnQ6bW90ZGVwYXNzZQ==",
                      "bearer-sans-espace"]


# ---- 401 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_no_token_is_401_and_stores_nothing(api, ids, endpoint):
    with unchanged():
        assert_problem(send(api, endpoint, ids, as_=None), 401)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_bad_token_is_401_and_stores_nothing(api, ids, endpoint):
    with unchanged():
        for header in BAD_AUTHORIZATIONS:
            resp = send(api, endpoint, ids, as_=None, headers={"Authorization": header})
            assert_problem(resp, 401)


# ---- 403 ----------------------------------------------------------------------------------------

FORBIDDEN = forbidden(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "user"), FORBIDDEN,
                         ids=[f"{endpoint_id(e)} as {u}" for e, u in FORBIDDEN])
def test_wrong_role_is_403_and_stores_nothing(api, ids, endpoint, user):
    with unchanged():
        body = assert_problem(send(api, endpoint, ids, as_=user), 403)
    assert "errors" not in body


def test_centre_user_on_post_licences_is_403(api):
    with unchanged():
        assert_problem(api.post("/api/v1/licences", LICENCE, as_="centre75"), 403)


def test_agent_on_put_clock_is_403(api):
    with unchanged():
        assert_problem(api.request("PUT", "/api/v1/clock", CLOCK, as_="agent"), 403)


def test_centre_user_on_get_tasks_is_403(api):
    assert_problem(api.get("/api/v1/tasks", as_="centre75"), 403)


# ---- 400 ----------------------------------------------------------------------------------------

MALFORMED = ['{"number": ', "{'number': 1}", "nimporte quoi", '{"a": 1,}', "\xff\xfe",
             '{"a": NaN']


@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_malformed_json_is_400_problem_in_french_and_stores_nothing(api, ids, endpoint):
    user = "admin" if endpoint[0] == "PUT" else "agent"
    with unchanged():
        for raw in MALFORMED:
            resp = send(api, endpoint, ids, as_=user, raw=raw.encode("latin-1"))
            body = assert_problem(resp, 400)
            assert "JSON" in body["detail"], (raw, body)


@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_json_that_is_not_an_object_is_422_and_stores_nothing(api, ids, endpoint):
    user = "admin" if endpoint[0] == "PUT" else "agent"
    with unchanged():
        assert_problem(send(api, endpoint, ids, as_=user, raw=b"[1, 2]"), 422)


# ---- 404 ----------------------------------------------------------------------------------------

UNKNOWN = [
    ("GET", "/api/v1/licences/999999999999", None),
    ("GET", "/api/v1/licences/999999999999/balance?on=2026-03-01", None),
    ("POST", "/api/v1/licences/999999999999/infractions", INFRACTION),
    ("POST", "/api/v1/licences/999999999999/invalidation", INVALIDATION),
    ("GET", "/api/v1/centres/R9999999999", None),
    ("PATCH", "/api/v1/centres/R9999999999", CENTRE_PATCH),
    ("GET", "/api/v1/centres/R9999999999/history", None),
    ("GET", "/api/v1/sessions/999", None),
    ("POST", "/api/v1/sessions/999/cancel", CANCEL),
    ("POST", "/api/v1/sessions/999/attendance", ATTENDANCE),
    ("POST", "/api/v1/sessions/999/enrollment", SESSION_ENROLLMENT),
    ("GET", "/api/v1/cases/999", None),
    ("POST", "/api/v1/cases/999/enrollment", {"session": "{s}"}),
    ("POST", "/api/v1/cases/999/attestation", ATTESTATION),
    ("GET", "/api/v1/cases/999/events", None),
    ("POST", "/api/v1/tasks/999/claim", None),
    ("POST", "/api/v1/tasks/999/unclaim", None),
    ("POST", "/api/v1/tasks/999/complete", COMPLETE),
    ("GET", "/api/v1/processes/inconnu/versions/1", None),
    ("GET", "/api/v1/processes/stage_obligatoire/versions/99", None),
    ("GET", "/api/v1/sessions/abc", None),
    ("GET", "/api/v1/cases/abc", None),
    ("GET", "/api/v1/inconnu", None),
]


@pytest.mark.parametrize(("method", "path", "body"), UNKNOWN,
                         ids=[f"{m} {p.split('?')[0]}" for m, p, _ in UNKNOWN])
def test_unknown_id_in_path_is_404_and_stores_nothing(api, ids, method, path, body):
    if body and body.get("session") == "{s}":
        body = {"session": ids["s"]}
    with unchanged():
        assert_problem(api.request(method, path, body, as_="admin"), 404)


def test_wrong_method_is_405_problem(api):
    assert_problem(api.request("DELETE", "/api/v1/licences"), 405)


# ---- 413 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", JSON_BODIES, ids=endpoint_id)
def test_json_body_over_1_mib_is_413_and_stores_nothing(api, ids, endpoint):
    user = "admin" if endpoint[0] == "PUT" else "agent"
    big = dict(endpoint[2], label="x" * (1024 * 1024 + 1))
    with unchanged():
        resp = api.request(endpoint[0], endpoint[1].format(**ids), big, as_=user)
        assert_problem(resp, 413)


def test_json_body_just_under_1_mib_is_not_413(api):
    body = dict(LICENCE, pad="x" * (1024 * 1024 - 400))
    with unchanged():
        assert_problem(api.post("/api/v1/licences", body, as_="agent"), 422, "pad")


def test_bpmn_xml_over_5_mib_is_413_and_stores_nothing(api):
    xml = b"<definitions>" + b" " * (5 * 1024 * 1024) + b"</definitions>"
    with unchanged():
        resp = api.request("POST", "/api/v1/processes/stage_obligatoire/versions", as_="designer",
                           raw=xml, headers={"Content-Type": "application/xml"})
        assert_problem(resp, 413)


def test_bpmn_multipart_over_5_mib_is_413_and_stores_nothing(api):
    import io

    xml = b"<definitions>" + b" " * (5 * 1024 * 1024) + b"</definitions>"
    with unchanged():
        resp = api.http.post("/api/v1/processes/stage_obligatoire/versions",
                             headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                             data={"file": (io.BytesIO(xml), "stage_obligatoire.bpmn")},
                             content_type="multipart/form-data")
        assert_problem(resp, 413)


def test_bpmn_over_1_mib_but_under_5_mib_is_not_413(api):
    xml = b"<definitions>" + b" " * (2 * 1024 * 1024) + b"</definitions>"
    with unchanged():
        resp = api.request("POST", "/api/v1/processes/stage_obligatoire/versions", as_="designer",
                           raw=xml, headers={"Content-Type": "application/xml"})
        assert_problem(resp, 422)
