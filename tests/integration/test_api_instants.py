"""Every instant the API writes carries the Paris offset of its day (API.md: « 2026-03-10T09:00:00
+01:00 »), and the same instant reads the same in the answer of the command that made it and in
every read after it (a stored instant is read back in UTC: web/api/instants.py)."""

from __future__ import annotations

import datetime as dt
import re

from services.clock import PARIS
from tests.helpers import CENTRE

INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")


def instants(value, where: str = "") -> list[tuple[str, str]]:
    """(where, text) of every ISO instant in a JSON document."""
    if isinstance(value, dict):
        return [i for k, v in value.items() for i in instants(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [i for n, v in enumerate(value) for i in instants(v, f"{where}[{n}]")]
    return [(where, value)] if isinstance(value, str) and INSTANT.match(value) else []


def paris_offset(text: str) -> bool:
    when = dt.datetime.fromisoformat(text)
    return when.utcoffset() == when.astimezone(PARIS).utcoffset()


def test_every_instant_read_or_answered_carries_the_paris_offset(api):
    case = api.case_at_review("120175200951")  # a course, its attendance, a task, decisions
    task = api.task(case["id"], "examen_manuel")
    claimed = api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    session = api.ok(api.get("/api/v1/sessions"))["items"][0]
    answers = {"claim": claimed}
    for path in ("/api/v1/cases", f"/api/v1/cases/{case['id']}",
                 f"/api/v1/cases/{case['id']}/events", f"/api/v1/cases/{case['id']}/letters",
                 "/api/v1/tasks", "/api/v1/clock", "/api/v1/outbox", "/api/v1/admin/events",
                 "/api/v1/incidents", "/api/v1/processes", "/api/v1/processes/stage_obligatoire"
                 "/versions/1", "/api/v1/processes/stage_obligatoire/drafts",
                 f"/api/v1/sessions/{session['id']}", f"/api/v1/centres/{CENTRE}"
                 "/history", "/api/v1/licences/120175200951"):
        answers[path] = api.ok(api.get(path))
    found = [(path, where, text) for path, body in answers.items()
             for where, text in instants(body)]
    assert {path for path, _, _ in found} >= {
        "claim", f"/api/v1/cases/{case['id']}/events", "/api/v1/tasks", "/api/v1/clock",
        "/api/v1/admin/events", "/api/v1/processes"}
    assert [(p, w, t) for p, w, t in found if not paris_offset(t)] == []
    # the claim's answer and the task list read the same instant the same
    listed = next(t for t in api.ok(api.get("/api/v1/tasks"))["items"] if t["id"] == task["id"])
    assert listed["created_at"] == claimed["created_at"]
