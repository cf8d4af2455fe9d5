"""Several timer workers on PostgreSQL: each due timer fires exactly once, none is lost, and a
worker killed while it holds claimed rows loses nothing (its transaction rolls back, the lock is
released, and another sweep fires those timers): a worker started afterwards fires what is
left, and a worker already running skips the claimed instance while it is locked and fires it
once the dead worker's lock is released.

These run only when TEST_DATABASE_URL is a PostgreSQL URL. They use their own database
(`<name>_workers`), created and dropped here, so they never fight the `app` fixture's database.
The two-clerks test (one 200, one 409) lives in test_concurrency_and_recovery.py and runs on
PostgreSQL in the same pass through the generic `api` fixture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from services import timers
from services.db import db
from services.models import Case, CaseEvent, HumanTask, ProcessInstance
from tests.integration.test_concurrency_and_recovery import _seed_due_cases
from tests.threads import in_app_threads

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not BASE_URL.startswith("postgres"),
                                reason="needs TEST_DATABASE_URL on PostgreSQL")


def _admin(url):
    import psycopg

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                           password=u.password, dbname="postgres", autocommit=True)


@pytest.fixture(scope="module")
def workers_url():
    base = make_url(BASE_URL)
    name = f"{base.database}_workers"
    with _admin(BASE_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    with _admin(BASE_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def wapp(workers_url):
    """An app on the workers' database, schema rebuilt by the migrations for each test."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"DATABASE_URL": workers_url, "CLOCK_MODE": "manual", "SECRET_KEY": "t"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _worker(url):
    env = {**os.environ, "DATABASE_URL": url, "CLOCK_MODE": "manual", "FLASK_APP": "app",
           "SECRET_KEY": "test-worker"}
    return subprocess.Popen([sys.executable, "-m", "flask", "timers", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _fired_per_case() -> dict[int, int]:
    rows = db.session.execute(select(CaseEvent.case_id, func.count(CaseEvent.id))
                              .where(CaseEvent.type == "echeance_depassee")
                              .group_by(CaseEvent.case_id)).all()
    return dict(rows)


def _others_lock_instances() -> bool:
    """Does another backend hold a FOR UPDATE claim (RowShareLock) on process_instances?"""
    held = db.session.scalar(text(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = 'process_instances' AND l.mode = 'RowShareLock' "
        "AND l.pid <> pg_backend_pid() AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"))
    db.session.remove()
    return bool(held)


def _fired_count() -> int:
    db.session.remove()
    return sum(_fired_per_case().values())


def _assert_each_fired_once(n: int) -> None:
    db.session.remove()
    per_case = _fired_per_case()
    case_ids = db.session.scalars(select(Case.id)).all()
    assert len(case_ids) == n
    assert {cid: per_case.get(cid, 0) for cid in case_ids} == {cid: 1 for cid in case_ids}
    # no case still waits on its deadline (the referral task's reminder is the next timer now)
    waiting = [i.case_id for i in db.session.scalars(select(ProcessInstance))
               if "echeance_4_mois" in [t["name"] for t in i.timers or []]]
    assert waiting == []


def test_two_worker_processes_fire_each_due_timer_exactly_once(wapp, workers_url):
    n = 40
    _seed_due_cases(n)
    db.session.remove()
    procs = [_worker(workers_url) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    # each prints how many it fired; together exactly n, and both took part in the work
    counts = [int(out.split()[0]) for out, _ in outputs]
    assert sum(counts) == n, outputs
    _assert_each_fired_once(n)


def test_two_sweeps_in_threads_share_the_work_without_double_firing(wapp):
    n = 30
    _seed_due_cases(n)
    db.session.remove()
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        return timers.run_due()

    results = in_app_threads(wapp, sweep)
    assert sum(results) == n, results
    _assert_each_fired_once(n)
    assert timers.run_due() == 0


def test_worker_killed_while_holding_claimed_rows_loses_nothing(wapp, workers_url):
    n = 60
    _seed_due_cases(n)
    db.session.remove()
    worker = _worker(workers_url)
    deadline = time.monotonic() + 120
    # wait until it has fired a few and currently holds a row lock on a claimed instance
    while time.monotonic() < deadline:
        fired = _fired_count()
        if fired >= 5 and _others_lock_instances():
            break
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    fired_before = _fired_count()
    assert 0 < fired_before < n, "the worker should have been killed mid-sweep"

    # every case is either fully fired or untouched: nothing half-written
    for case in db.session.scalars(select(Case)):
        inst = db.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case.id))
        has_task = db.session.scalar(select(func.count(HumanTask.id)).where(
            HumanTask.case_id == case.id, HumanTask.key == "signalement_parquet"))
        deadline_waits = "echeance_4_mois" in [t["name"] for t in inst.timers or []]
        assert (not deadline_waits) == (case.referral == "candidate") == bool(has_task)
    db.session.remove()

    # the server notices the dead backend, rolls its transaction back and releases the lock;
    # another worker then fires everything that is left, each exactly once
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _others_lock_instances():
        time.sleep(0.05)
    db.session.remove()
    other = _worker(workers_url)
    out, err = other.communicate(timeout=180)
    assert other.returncode == 0, err
    assert int(out.split()[0]) == n - fired_before
    _assert_each_fired_once(n)
    assert timers.run_due() == 0  # and nothing fires twice


def _locked_due_ids() -> set[int]:
    """Due instances another transaction holds (FOR UPDATE): due, but skipped by SKIP LOCKED."""
    now = db.session.scalar(text("SELECT now FROM clock_settings WHERE id = 1"))
    due = set(db.session.scalars(select(ProcessInstance.id)
                                 .where(ProcessInstance.next_timer_due_at <= now)))
    free = set(db.session.scalars(select(ProcessInstance.id)
                                  .where(ProcessInstance.next_timer_due_at <= now)
                                  .with_for_update(skip_locked=True)))
    db.session.rollback()
    return due - free


def test_instance_claimed_by_a_killed_worker_is_fired_by_the_running_one(wapp, workers_url):
    n = 40
    _seed_due_cases(n)
    db.session.remove()
    first = _worker(workers_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until it has fired some and holds a claim
        if _fired_count() >= 3 and _others_lock_instances():
            first.send_signal(signal.SIGSTOP)  # frozen while it holds the claim
            claimed = _locked_due_ids()
            if claimed:
                break
            first.send_signal(signal.SIGCONT)
        time.sleep(0.005)
    assert claimed, "the first worker should hold a claimed instance"
    # the other worker runs meanwhile: it skips the claimed instance while it is locked...
    other = subprocess.Popen([sys.executable, "-m", "flask", "timers", "run", "--loop",
                              "--interval", "0.2"], cwd=ROOT,
                             env={**os.environ, "DATABASE_URL": workers_url,
                                  "CLOCK_MODE": "manual", "FLASK_APP": "app",
           "SECRET_KEY": "test-worker"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        db.session.remove()
        assert claimed <= _locked_due_ids()  # still held by the frozen first worker
        first.send_signal(signal.SIGKILL)  # ...and fires it once the dead worker's lock goes
        first.wait(10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _fired_count() < n:
            time.sleep(0.1)
    finally:
        other.terminate()
        other.wait(30)
    _assert_each_fired_once(n)
    fired_claimed = db.session.scalars(
        select(CaseEvent.case_id)
        .join(ProcessInstance, ProcessInstance.case_id == CaseEvent.case_id)
        .where(ProcessInstance.id.in_(claimed), CaseEvent.type == "echeance_depassee")).all()
    assert len(fired_claimed) == len(claimed)  # each claimed one fired, once, by the other
