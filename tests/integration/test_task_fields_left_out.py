"""A QA finding: an API client completing a task without one of its form's optional fields
(`motif` with `signaler` or `crediter`) made the shipped process fail (« name 'motif' is not
defined ») and left an incident. Every field of the task's form now reaches the engine: a field
the caller did not send stands for its form's empty value (workflows/forms.blank_value), so a
designer's script can always read every field of its form (R21, R26)."""

from __future__ import annotations

from sqlalchemy import select

from services.db import db
from services.models import Incident

NUM = "120175200777"


def incidents() -> list[Incident]:
    db.session.rollback()
    rows = db.session.scalars(select(Incident)).all()
    db.session.rollback()
    return rows


def _complete(api, case_id: int, key: str, data: dict):
    task = api.task(case_id, key)
    return api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data}, as_="agent")


def test_R21_reporting_without_a_motif_runs_the_shipped_process(api):
    case = api.case_at_referral(NUM)

    resp = _complete(api, case["id"], "signalement_parquet", {"decision": "signaler"})

    assert resp.status_code == 200, resp.get_json()
    assert incidents() == []
    done = resp.get_json()
    assert done["outcome"]["referral"] is not None
    assert "signalement_parquet" not in [t["key"] for t in done["tasks"]]
    # the task's history keeps what the clerk sent, not the blanks the engine was given
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    [completed] = [e for e in events if e["type"] == "tache_terminee"
                   and e["detail"].get("task") == "signalement_parquet"]
    assert "motif" not in completed["detail"]


def test_R26_R32_crediting_at_review_without_a_motif_runs_the_shipped_process(api):
    case = api.case_at_review(NUM)

    resp = _complete(api, case["id"], "examen_manuel", {"decision": "crediter"})

    assert resp.status_code == 200, resp.get_json()
    assert incidents() == []
    assert resp.get_json()["outcome"]["points_credited"] > 0
