"""The browser UI calls the REST API with its session cookie: a state-changing call so
authenticated must carry the session's CSRF token in X-CSRF-Token (400 otherwise, nothing
stored); reads need no token, and bearer-token calls are unchanged."""

from __future__ import annotations

import pytest

from services.db import db
from services.models import Centre
from tests.api_errors_support import assert_problem
from tests.ui_support import log_in_directly

BODY = {"agrement": "R2401300030", "name": "Centre Marseille", "departement": "13",
        "valid_until": "2030-12-31"}


def _centres() -> int:
    db.session.remove()
    return db.session.query(Centre).count()


@pytest.fixture
def browser(api):
    """A test client logged in through the UI's login form as admin (session cookie)."""
    client = api.app.test_client()
    client.get("/ui/connexion")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/ui/connexion", data={"username": "admin", "password": "motdepasse-test",
                                              "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with client.session_transaction() as sess:
        client.csrf = sess["csrf_token"]  # log_in() gives the new session a fresh token
    assert client.csrf != token
    return client


def test_session_post_without_token_is_refused_and_stores_nothing(api, browser):
    before = _centres()
    resp = browser.post("/api/v1/centres", json=BODY)
    body = assert_problem(resp, 400)
    assert "X-CSRF-Token" in body["detail"]
    assert _centres() == before


@pytest.mark.parametrize("token", ["", "pas-le-bon-jeton"])
def test_session_post_with_a_wrong_token_is_refused(api, browser, token):
    before = _centres()
    resp = browser.post("/api/v1/centres", json=BODY, headers={"X-CSRF-Token": token})
    assert_problem(resp, 400)
    assert _centres() == before


def test_the_token_of_another_session_is_refused(api, browser):
    other = api.app.test_client()
    other.get("/ui/connexion")
    with other.session_transaction() as sess:
        foreign = sess["csrf_token"]
    assert foreign != browser.csrf
    resp = browser.post("/api/v1/centres", json=BODY, headers={"X-CSRF-Token": foreign})
    assert_problem(resp, 400)


def test_session_post_with_the_session_token_is_accepted(api, browser):
    before = _centres()
    resp = browser.post("/api/v1/centres", json=BODY, headers={"X-CSRF-Token": browser.csrf})
    assert resp.status_code == 201, resp.get_json()
    assert _centres() == before + 1


def test_session_put_is_checked_too(api, browser):
    resp = browser.put("/api/v1/clock", json={"today": "2026-03-05"})
    assert_problem(resp, 400)
    resp = browser.put("/api/v1/clock", json={"today": "2026-03-05"},
                       headers={"X-CSRF-Token": browser.csrf})
    assert resp.status_code == 200, resp.get_json()


def test_session_reads_need_no_token(api, browser):
    resp = browser.get("/api/v1/processes")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["total"] >= 2


def test_a_session_without_a_token_cannot_write(api):
    """A session that somehow has no token (never minted) never matches an empty header."""
    client = api.app.test_client()
    log_in_directly(client, "admin")
    resp = client.post("/api/v1/centres", json=BODY, headers={"X-CSRF-Token": ""})
    assert_problem(resp, 400)
    assert client.get("/api/v1/processes").status_code == 200


def test_bearer_token_calls_are_unchanged(api, browser):
    before = _centres()
    # with a bearer token no CSRF header is needed, even when a session cookie is also sent
    resp = browser.post("/api/v1/centres", json=BODY,
                        headers={"Authorization": f"Bearer {api.tokens['admin']}"})
    assert resp.status_code == 201, resp.get_json()
    assert _centres() == before + 1
    resp = api.post("/api/v1/centres", {**BODY, "agrement": "R2401300031"})
    assert resp.status_code == 201, resp.get_json()


def test_an_anonymous_write_is_still_401(api):
    resp = api.app.test_client().post("/api/v1/centres", json=BODY)
    assert_problem(resp, 401)
