"""A running case's projections written past the unit of work (services/row_writes.update_row,
journey._write_rows; issue 17): each guarantee the ORM's flush gave is proved here again.

- the instance's optimistic `lock_version`: a stale write is a 409 and writes nothing;
- exactly one of two concurrent commands on a case wins, the other is told;
- the task counters and the statistics' marks, which the flush's hooks kept, stay exact;
- a rolled-back savepoint leaves no value of the write-back in memory;
- a many-to-one read through a column written so is read again;
- and the point of it: receiving an attestation, claiming or handing back a task leaves the
  unit of work nothing to flush."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from services import (
    cases,
    journey,
    licences,
    sessions,
    stat_counters,
    task_counters,
    tasks,
    users,
)
from services.db import db, transaction
from services.errors import Conflict
from services.models import CaseEvent, Enrollment, HumanTask, Licence, ProcessInstance
from services.row_writes import update_row
from tests.threads import in_app_threads

NUM = "120175200620"
RECEIVED = dt.date(2026, 6, 5)


def _case_with_attestation_issued(api) -> int:
    return api.attended_voluntary_case(NUM, today="05/06/2026")["id"]


def _snapshot(case_id: int) -> dict:
    db.session.rollback()
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
    return {
        "status": cases.get(case_id).status,
        "lock_version": instance.lock_version,
        "state_json": instance.state_json,
        "open_tasks": sorted(db.session.scalars(select(HumanTask.key).where(
            HumanTask.case_id == case_id, HumanTask.state == "open"))),
        "received_on": db.session.scalar(select(Enrollment.attestation_received_on).where(
            Enrollment.case_id == case_id)),
        "events": db.session.scalar(select(func.count(CaseEvent.id)).where(
            CaseEvent.case_id == case_id)),
        "counters": task_counters.stored(),
    }


def _counters_exact() -> None:
    db.session.rollback()
    assert task_counters.check() == {}, "task counters differ from the task rows"
    stat_counters.catch_up_all()
    stored, rebuilt = stat_counters.stored(), stat_counters.contributions(None)
    assert stored[0] == +rebuilt[0] and stored[1] == +rebuilt[1], "statistics differ"


def test_receiving_an_attestation_leaves_the_unit_of_work_nothing_to_flush(api, app):
    case_id = _case_with_attestation_issued(api)
    before = _snapshot(case_id)
    flushed, count = _count_flushes()
    event.listen(Session, "before_flush", count)
    try:
        with transaction():
            cases.receive_attestation(cases.get(case_id), RECEIVED, "agent")
    finally:
        event.remove(Session, "before_flush", count)
    assert flushed == []
    after = _snapshot(case_id)
    assert after["lock_version"] == before["lock_version"] + 1
    assert after["state_json"] != before["state_json"]
    assert after["open_tasks"] == ["verification_attestation"]
    assert after["received_on"] == RECEIVED
    assert after["status"] != before["status"]
    assert after["events"] == before["events"] + 1
    _counters_exact()


def test_a_stale_instance_makes_the_command_a_409_that_writes_nothing(api, app):
    """Another writer commits the instance between this command's read and its write (under
    the row lock this cannot happen; the check is what stands if it ever did)."""
    case_id = _case_with_attestation_issued(api)
    api.attestation(case_id, "05/06/2026")
    task = api.task(case_id, "verification_attestation")
    before = _snapshot(case_id)

    def bumped_then_completed(run):
        db.session.connection().execute(
            text("UPDATE process_instances SET lock_version = lock_version + 1 "
                 "WHERE case_id = :c"), {"c": case_id})
        run.complete_task("verification_attestation", {"decision": "valider", "motif": ""})

    with pytest.raises(Conflict) as refused:
        with transaction():
            journey.apply(cases.get(case_id), "agent", bumped_then_completed)
    assert "en même temps" in refused.value.detail
    assert _snapshot(case_id) == before
    assert api.task(case_id, "verification_attestation")["id"] == task["id"]
    _counters_exact()


def test_two_concurrent_receipts_of_one_attestation_exactly_one_wins(api, app):
    case_id = _case_with_attestation_issued(api)
    before = _snapshot(case_id)

    def receive():
        try:
            with transaction():
                cases.receive_attestation(cases.get(case_id), RECEIVED, "agent")
            return "ok"
        except Conflict as exc:
            return exc.detail

    results = in_app_threads(app, receive)
    assert sorted(results, key=lambda r: r != "ok")[0] == "ok", results
    assert results.count("ok") == 1, results
    after = _snapshot(case_id)
    assert after["open_tasks"] == ["verification_attestation"]
    assert after["lock_version"] == before["lock_version"] + 1
    assert after["events"] == before["events"] + 1
    _counters_exact()


def test_a_rolled_back_savepoint_leaves_no_value_of_the_write_back_in_memory(api, app):
    """The timer sweep runs each instance in a savepoint: one rolled back after the write-back
    must not leave its values in the objects the transaction goes on with."""
    case_id = _case_with_attestation_issued(api)
    before = _snapshot(case_id)
    with transaction():
        case = cases.get(case_id)
        instance = db.session.scalar(select(ProcessInstance)
                                     .where(ProcessInstance.case_id == case_id))
        enrolment = case.enrollments[0]
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                cases.receive_attestation(case, RECEIVED, "agent")
                assert case.status != before["status"]  # written, and seen in memory
                raise RuntimeError("a later step of the command fails")
        assert case.status == before["status"]
        assert instance.lock_version == before["lock_version"]
        assert enrolment.attestation_received_on is None
    assert _snapshot(case_id) == before
    _counters_exact()


def _count_flushes():
    flushed = []

    def count(session, _context, _instances):
        if session.new or session.dirty or session.deleted:
            flushed.append(sorted({type(o).__name__ for o in
                                   [*session.new, *session.dirty, *session.deleted]}))
    return flushed, count


def _verification_task(api) -> tuple[int, int]:
    """A case's open verification task: (case id, task id); the test's session ended."""
    case_id = _case_with_attestation_issued(api)
    api.attestation(case_id, "05/06/2026")
    task_id = api.task(case_id, "verification_attestation")["id"]
    db.session.rollback()
    return case_id, task_id


def test_claiming_and_handing_back_a_task_flush_nothing_and_keep_the_counters(api, app):
    case_id, task_id = _verification_task(api)
    agent = users.get_by_name("agent")
    flushed, count = _count_flushes()
    event.listen(Session, "before_flush", count)
    try:
        with transaction():
            assert tasks.claim(task_id, agent).assignee.username == "agent"
        assert task_counters.count(state="open", assignee_id=agent.id) == 1
        assert task_counters.check() == {}
        with transaction():
            assert tasks.unclaim(task_id, agent).assignee is None
    finally:
        event.remove(Session, "before_flush", count)
    assert flushed == []
    assert task_counters.count(state="open", assignee_id=agent.id) == 0
    assert [e["type"] for e in api.ok(api.get(f"/api/v1/cases/{case_id}/events"))["items"]
            if e["type"].startswith("tache_")] == ["tache_prise", "tache_rendue"]
    _counters_exact()


def test_a_many_to_one_loaded_before_its_column_is_written_is_read_again(api, app):
    _, task_id = _verification_task(api)
    agent = users.get_by_name("agent")
    task = db.session.get(HumanTask, task_id)
    assert task.assignee is None  # loaded
    update_row(task, {"assignee_id": agent.id})
    assert task.assignee is agent
    db.session.rollback()  # and undone: read again as it is stored
    assert task.assignee is None


def test_a_mandatory_course_from_the_licence_to_the_credit_leaves_nothing_to_flush(api, app):
    """Every command of a case's lifecycle writes past the unit of work, the attendance sheet of
    its session (six trainees) too."""
    api.set_today("01/03/2026")
    session = api.session("03/06/2026", "04/06/2026")
    db.session.rollback()
    admin = users.get_by_name("admin")
    flushed, count = _count_flushes()
    event.listen(Session, "before_flush", count)
    try:
        with transaction():
            licence = licences.create(
                {"number": "120175200621", "obtained_on": dt.date(2025, 9, 1),
                 "holder": {"last_name": "Martin", "first_name": "Léa",
                            "birth_date": dt.date(2004, 5, 2)},
                 "probation": "classic", "formation_complementaire": False}, "agent")
        with transaction():
            infraction = licences.add_infraction(
                licences.get("120175200621"),
                {"committed_on": dt.date(2026, 2, 10), "points": 3, "offence_class": "C4",
                 "label": "Excès de vitesse", "decision_on": dt.date(2026, 2, 10),
                 "established_on": dt.date(2026, 2, 10),
                 "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": dt.date(2026, 2, 10)}},
                "agent")
        assert infraction.triggers_48n
        with transaction():
            case_id = cases.create(
                {"kind": "obligatoire", "licence": licence.number, "infraction": infraction.id,
                 "letter_48n": {"sent_on": dt.date(2026, 2, 25), "receipt": "signed",
                                "received_on": dt.date(2026, 3, 1)}}, "agent").id
        with transaction():
            cases.enroll(cases.get(case_id), session["id"], admin)
        assert flushed == []
        api.set_today("05/06/2026")  # (the manual clock's own row, through the API)
        flushed.clear()
        db.session.rollback()
        records = [{"licence": n, "day1": "present", "day2": "present"}
                   for n in ["120175200621", *api.fillers[session["id"]]]]
        with transaction():
            sessions.record_attendance(sessions.get(session["id"]), records,
                                       users.get_by_name("admin"))
        with transaction():
            cases.receive_attestation(cases.get(case_id), RECEIVED, "agent")
        task_id = api.task(case_id, "verification_attestation")["id"]
        agent = users.get_by_name("agent")  # read again: a request ends the test's session
        with transaction():
            tasks.claim(task_id, agent)
        with transaction():
            tasks.complete(task_id, {"decision": "valider", "motif": ""}, agent)
    finally:
        event.remove(Session, "before_flush", count)
    assert flushed == []
    outcome = api.case(case_id)["outcome"]
    # R26: min(4, 6 − 3) under the probation's cap; the course in time (R19): met, refunded
    assert (outcome["points_credited"], outcome["obligation"]) == (3, "met")
    assert outcome["refund"]["eligible"] is True
    types = [e["type"] for e in api.ok(api.get(f"/api/v1/cases/{case_id}/events"))["items"]]
    assert {"dossier_ouvert", "inscription", "attestation_recue", "tache_terminee",
            "points_credites"} <= set(types)
    _counters_exact()


def test_a_row_inserted_in_a_released_savepoint_leaves_the_session_when_the_transaction_rolls_back(
        api, app):
    api.set_today("01/03/2026")
    db.session.rollback()
    with pytest.raises(RuntimeError):
        with transaction():
            with db.session.begin_nested():
                licence = licences.create(
                    {"number": "120175200622", "obtained_on": dt.date(2025, 9, 1),
                     "holder": {"last_name": "Martin", "first_name": "Léa",
                                "birth_date": dt.date(2004, 5, 2)},
                     "probation": "classic", "formation_complementaire": False}, "agent")
            raise RuntimeError("the command fails after its savepoint was released")
    assert licence not in db.session
    assert db.session.scalar(select(func.count()).select_from(Licence)
                             .where(Licence.number == "120175200622")) == 0


def _conflict_or_ok(work, read=lambda: ()):
    """A thread's command: `read()` first, in its own read transaction (both threads read
    before either writes), then `work(*read())` as one command: "ok", or the 409's detail."""
    together = threading.Barrier(2)

    def run():
        args = read()
        together.wait(10)
        try:
            with transaction():
                work(*args)
            return "ok"
        except Conflict as exc:
            return exc.detail
    return run


def test_two_concurrent_enrolments_of_one_case_in_one_session_exactly_one_wins(api, app):
    """Both read the case before either locks it: the second's seat is refused (409), never a
    database error (the enrolment's row is inserted before the run)."""
    api.licence(NUM, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    api.set_today("01/03/2026")
    case_id = api.voluntary_case(NUM)["id"]
    session_id = api.session("03/06/2026", "04/06/2026")["id"]

    def read():
        case = cases.get(case_id)
        return case, list(case.enrollments), users.get_by_name("admin")

    def enrol(case, _enrolments, admin):
        cases.enroll(case, session_id, admin)

    results = in_app_threads(app, _conflict_or_ok(enrol, read))
    assert results.count("ok") == 1, results
    assert api.case(case_id)["status"] == "inscrit"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Enrollment)
                             .where(Enrollment.case_id == case_id)) == 1
    _counters_exact()


def test_two_concurrent_registrations_of_one_licence_number_exactly_one_wins(api, app):
    """Both usually check the number before either inserts it: the second's insert then meets
    the unique index, a 409 as the check's own."""
    api.set_today("01/03/2026")  # after the licence's obtained_on: never in the future

    def register():
        licences.create({"number": "120175200623", "obtained_on": dt.date(2025, 9, 1),
                         "holder": {"last_name": "Martin", "first_name": "Léa",
                                    "birth_date": dt.date(2004, 5, 2)},
                         "probation": "classic", "formation_complementaire": False}, "agent")

    results = in_app_threads(app, _conflict_or_ok(register))
    assert sorted(results, key=lambda r: r != "ok") == [
        "ok", "Le permis n° 120175200623 existe déjà."], results
