"""The 503 the OpenAPI document declares on every operation comes back for real: with the
database unreachable, every operation of the document answers 503 problem+json in French with
Retry-After, never a 500; and so does one operation of each blueprint once past the
authentication, where the view's own work is what fails."""

from __future__ import annotations

import re

import pytest

from app import create_app
from services import users
from services.db import DATABASE_RETRY_AFTER_SECONDS
from services.models import User
from tests.conftest import FAST
from tests.integration.test_rate_counters import (  # noqa: F401 - a fixture
    _unreachable_url,
    limiter_memory_reset,
)

METHODS = ("get", "post", "put", "patch", "delete")
# one operation of each blueprint (its tag in the document) that reads or writes the database
# itself, with an admin (every role check passes)
PAST_AUTHENTICATION = {
    "licences": ("get", "/api/v1/licences/120175200123"),
    "centres": ("get", "/api/v1/centres"),
    "sessions": ("post", "/api/v1/sessions/1/enrollment", {"licence": "120175200123"}),
    "cases": ("get", "/api/v1/cases"),
    "tasks": ("post", "/api/v1/tasks/1/claim"),
    "processes": ("get", "/api/v1/processes"),
    "designer": ("get", "/api/v1/drafts/1"),
    "incidents": ("get", "/api/v1/incidents"),
    "clock": ("post", "/api/v1/timers/run"),
    "exports": ("get", "/api/v1/cases/export"),
    "statistics": ("get", "/api/v1/statistics"),
    "groups": ("get", "/api/v1/groups"),
    "user_groups": ("get", "/api/v1/users/agent/groups"),
    "actions": ("post", "/api/v1/outbox/1/retry"),
    "outbox": ("get", "/api/v1/outbox"),
    "letters": ("get", "/api/v1/cases/1/letters"),
    "admin_journal": ("get", "/api/v1/admin/events"),
}


@pytest.fixture
def down(database_url, tmp_path, limiter_memory_reset):  # noqa: F811
    app = create_app({"DATABASE_URL": _unreachable_url(database_url, tmp_path),
                      "CLOCK_MODE": "system", "SECRET_KEY": "test", **FAST})
    return app, app.test_client()


def documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def call(client, method: str, path: str, body: dict | None = None):
    if body is None and method != "get":
        body = {}  # JSON, as the API takes: an operation's body is read after its caller
    return client.open(re.sub(r"\{[^}]+\}", "1", path), method=method.upper(), json=body,
                       headers={"Authorization": "Bearer x"})


def assert_unavailable(resp, what):
    assert resp.status_code == 503, (what, resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/problem+json", what
    body = resp.get_json()
    assert body["status"] == 503 and "base de données ne répond pas" in body["detail"], what
    assert resp.headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS), what


def test_every_documented_operation_answers_503_without_its_database(down):
    _app, client = down
    operations = list(documented(client))
    assert len(operations) > 70
    for path, method, _operation in operations:
        assert_unavailable(call(client, method, path), (method, path))


def test_past_the_authentication_each_blueprint_answers_503(down, monkeypatch):
    """The caller is known without the database (its lookup replaced by an admin): what fails
    is the view's own reading or writing, and it is a 503 as well."""
    app, client = down
    admin = User(id=1, username="admin", role="admin", active=True)
    monkeypatch.setattr(users, "user_for_token", lambda _token: admin)
    tags = {operation["tags"][0] for _p, _m, operation in documented(client)}
    assert tags == set(PAST_AUTHENTICATION)  # a new blueprint gets its line here
    for tag, (method, path, *body) in PAST_AUTHENTICATION.items():
        assert_unavailable(call(client, method, path, *body), tag)
