"""The task counters (issue 17): kept with the task rows in each command's transaction, they give
the task lists' totals; what the commands keep equals what a rebuild counts from the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services import task_counters
from services.db import db, transaction
from services.models import HumanTask, TaskCounter

NUMS = ("120175200123", "120175200124", "120175200125")


def _verification_tasks(api) -> list[dict]:
    """Three mandatory cases, each with its attestation to verify."""
    api.set_today("10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    ids = []
    for num in NUMS:
        api.licence(num)
        inf = api.infraction(num, "01/02/2026")
        case = api.mandatory_case(num, inf["id"], "10/03/2026")
        api.enroll(case["id"], session["id"])
        ids.append(case["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(n, "present", "present") for n in NUMS])
    api.set_today("15/06/2026")
    for cid in ids:
        api.attestation(cid, "15/06/2026")
    return [api.task(cid, "verification_attestation") for cid in ids]


def _total(api, as_="agent", **query) -> tuple[int, int]:
    body = api.ok(api.get("/api/v1/tasks", as_=as_, per_page=100, **query))
    return body["total"], len(body["items"])


def test_commands_keep_the_counters_equal_to_a_rebuild(api, app):
    one, two, three = _verification_tasks(api)
    api.ok(api.post(f"/api/v1/tasks/{one['id']}/claim", as_="agent"))
    api.ok(api.post(f"/api/v1/tasks/{two['id']}/claim", as_="agent2"))
    api.ok(api.post(f"/api/v1/tasks/{two['id']}/unclaim", as_="agent2"))
    api.ok(api.post(f"/api/v1/tasks/{three['id']}/complete",
                    {"data": {"decision": "valider", "motif": ""}}, as_="agent"))
    api.ok(api.post(f"/api/v1/tasks/{one['id']}/complete",
                    {"data": {"decision": "refuser", "motif": "illisible"}}, as_="agent"))

    assert task_counters.check() == {}
    kept = task_counters.stored()
    assert kept  # the commands wrote them
    with transaction():
        task_counters.rebuild()
    assert task_counters.stored() == kept

    # every filter's total is the number of rows it lists
    for query in ({}, {"state": "open"}, {"state": "completed"}, {"mine": "true"},
                  {"key": "verification_attestation"}, {"key": "examen_manuel"},
                  {"state": "open", "mine": "true"}):
        total, rows = _total(api, **query)
        assert total == rows, query
    assert _total(api, state="open") == (1, 1)  # two.id, unclaimed again
    assert _total(api, state="completed", mine="true") == (2, 2)


def test_a_rolled_back_command_or_savepoint_leaves_the_counters(api, app):
    _verification_tasks(api)
    before = task_counters.stored()
    task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.state == "open")
                                .order_by(HumanTask.id).limit(1))
    with pytest.raises(RuntimeError), transaction():
        db.session.get(HumanTask, task_id).state = "cancelled"
        db.session.flush()
        assert task_counters.check() == {}  # moved with the row, in the transaction
        raise RuntimeError("the command fails")
    assert task_counters.stored() == before
    with transaction():
        with pytest.raises(RuntimeError), db.session.begin_nested():
            db.session.get(HumanTask, task_id).assignee_id = None
            db.session.get(HumanTask, task_id).state = "cancelled"
            db.session.flush()
            raise RuntimeError("the savepoint is undone")
    assert task_counters.stored() == before
    assert task_counters.check() == {}


def test_the_cli_rebuilds_and_checks(api, app):
    _verification_tasks(api)
    with transaction():
        db.session.connection().execute(TaskCounter.__table__.delete())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tasks", "rebuild-counters", "--check"])
    assert result.exit_code == 1 and "compteur(s) faux" in result.output
    result = runner.invoke(args=["tasks", "rebuild-counters"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert task_counters.check() == {}
    assert runner.invoke(args=["tasks", "rebuild-counters", "--check"]).exit_code == 0
