"""Issue 12, items 5, 9 and 10 (the part outside the OpenAPI document): the scenario test
queue is bounded (429, or 409 for a second run of the same draft, French and with
Retry-After), search takes `%`, `_` and `\\` as typed (API and UI), no answer names the server
software, the API docs page and the API's answers forbid scripts and framing, and a 405 says
which methods the resource takes."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import threading

import pytest
from werkzeug.serving import make_server

from services.db import db, transaction
from services.design import scenario_runs
from services.models import DraftTestRun
from tests.api_errors_support import assert_problem, unchanged
from tests.designer_support import renamed_volontaire, xml_headers
from tests.ui_support import UiClient

KEY = "stage_volontaire"


# ---- item 5: the test-run queue ----------------------------------------------------------------

@pytest.fixture
def queue(api, monkeypatch):
    """Runs stay waiting (no thread starts them); at most 2 may wait."""
    started = []
    monkeypatch.setattr(scenario_runs, "start", started.append)
    api.app.config["SANDBOX_MAX_QUEUE"] = 2
    api.set_today("02/03/2026")

    def draft(n: int) -> int:
        return api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                                  raw=renamed_volontaire(f"Contrôler {n}"),
                                  headers=xml_headers()), 201)["id"]

    def run(draft_id: int):
        return api.post(f"/api/v1/drafts/{draft_id}/test-runs", {"features": ["volontaire"]},
                        as_="designer")

    return draft, run, started


def test_a_second_run_of_the_same_draft_is_409_with_retry_after(api, queue):
    draft, run, started = queue
    d1 = draft(1)
    first = api.ok(run(d1), 202)
    with unchanged():
        resp = run(d1)
        body = assert_problem(resp, 409)
    assert f"n° {first['id']}" in body["detail"]
    assert int(resp.headers["Retry-After"]) > 0
    assert started == [first["id"]]


def test_runs_past_the_queue_bound_are_429_with_retry_after(api, queue):
    draft, run, started = queue
    drafts = [draft(n) for n in range(4)]
    accepted = [api.ok(run(d), 202)["id"] for d in drafts[:2]]
    with unchanged():
        for d in drafts[2:]:
            resp = run(d)
            body = assert_problem(resp, 429)
            assert "attendent déjà" in body["detail"]
            assert int(resp.headers["Retry-After"]) > 0
    assert started == accepted  # no thread for a refused run
    with transaction():  # one run ends: a place is free again
        db.session.get(DraftTestRun, accepted[0]).status = scenario_runs.PASSED
    assert api.ok(run(drafts[2]), 202)["status"] == scenario_runs.WAITING
    assert_problem(run(drafts[3]), 429)


def test_runs_given_up_long_ago_hold_no_place(api, queue):
    draft, run, _ = queue
    drafts = [draft(n) for n in range(3)]
    ids = [api.ok(run(d), 202)["id"] for d in drafts[:2]]
    with transaction():
        for run_id in ids:
            db.session.get(DraftTestRun, run_id).requested_at -= dt.timedelta(hours=2)
    api.ok(run(drafts[2]), 202)
    api.ok(run(drafts[0]), 202)  # its earlier run is past its time limit: not pending


def test_the_cli_is_not_bounded_by_the_api_queue(api, queue):
    from services.design import drafts as drafts_service

    draft, run, _ = queue
    d1 = draft(1)
    api.ok(run(d1), 202)
    with transaction():  # the CLI runs at once, in its own process: no thread waits
        run = scenario_runs.request_run(drafts_service.get(d1), [], "cli")
        assert run.status == scenario_runs.WAITING


# ---- item 9: LIKE wildcards are searched as typed -----------------------------------------------

NAMES = {"120175200101": "Dupont", "120175200102": "Du_pont", "120175200103": "Cent%Pour",
         "120175200104": "Anti\\slash"}


@pytest.fixture
def people(api):
    api.set_today("02/03/2026")
    for number, name in NAMES.items():
        body = {"number": number, "holder": {"last_name": name, "first_name": "Léa",
                                             "birth_date": "2004-05-02"},
                "obtained_on": "2025-09-01", "probation": "classic",
                "formation_complementaire": False}
        api.ok(api.post("/api/v1/licences", body), 201)
        api.infraction(number, "01/02/2026", points=1)  # R29: needs a retrait
        api.voluntary_case(number)
    return NAMES


@pytest.mark.parametrize(("q", "found"), [
    ("%", {"Cent%Pour"}), ("_", {"Du_pont"}), ("u_p", {"Du_pont"}), ("%%", set()),
    ("\\", {"Anti\\slash"}), ("i\\s", {"Anti\\slash"}), ("dupont", {"Dupont"}),
    ("pont", {"Dupont", "Du_pont"}), ("_%", set()),
])
def test_case_search_takes_wildcards_as_typed(api, people, q, found):
    items = api.ok(api.get("/api/v1/cases", q=q, per_page=200))["items"]
    assert {people[c["licence"]] for c in items} == found


@pytest.mark.parametrize(("q", "found"), [("%", {"Cent%Pour"}), ("_", {"Du_pont"}),
                                          ("\\", {"Anti\\slash"}), ("pont", {"Dupont", "Du_pont"})])
def test_ui_search_takes_wildcards_as_typed(api, people, q, found):
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get("/ui/recherche", q=q).get_data(as_text=True)
    shown = {name for name in people.values()
             if re.search(re.escape(name.replace("\\", "\\")), page)}
    assert shown == found, q


# ---- item 9: headers ----------------------------------------------------------------------------

def test_no_answer_names_the_server_software_or_its_version(api):
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in ("/api/v1/clock", "/ui/connexion", "/api/v1/inconnu", "/api/v1/docs"):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            server_header = resp.getheader("Server") or ""
            assert not re.search(r"werkzeug|python|gunicorn|\d", server_header, re.I), \
                (path, server_header)
    finally:
        server.shutdown()
        thread.join(5)


def test_gunicorn_does_not_name_itself_either(api):
    from gunicorn.http.wsgi import Response

    version = Response(None, None, None).version
    assert "gunicorn" not in version.lower() and not re.search(r"\d", version), version


def test_api_docs_page_forbids_scripts_framing_and_outside_resources(api):
    resp = api.app.test_client().get("/api/v1/docs")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp  # no script may run
    assert resp.headers["X-Frame-Options"] == "DENY"
    page = resp.get_data(as_text=True)
    assert "<script" not in page and "http://" not in page and "https://" not in page
    import base64
    import hashlib
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the page's one style is the one allowed


@pytest.mark.parametrize("path", ["/api/v1/clock", "/api/v1/openapi.json", "/api/v1/inconnu"])
def test_api_answers_forbid_framing(api, path):
    resp = api.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


# ---- item 10: 405 carries Allow -----------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("TRACE", "/api/v1/cases", {"GET", "POST"}),
    ("DELETE", "/api/v1/licences", {"POST"}),
    ("PATCH", "/api/v1/clock", {"GET", "PUT"}),
    ("TRACE", "/api/v1/tasks/1/claim", {"POST"}),
])
def test_405_says_which_methods_the_resource_takes(api, method, path, allowed):
    with unchanged():
        resp = api.request(method, path)
    assert_problem(resp, 405)
    allow = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert allowed <= allow and method not in allow, allow
