"""At most SANDBOX_MAX_RUNS scenario runs at once on the whole deployment: the limit lives in the
database (a run is claimed only while fewer runs are `en_cours`), so several web processes
(gunicorn workers, here two applications with their own engines) and the CLI share it. The
sandbox itself is replaced by a stand-in that says how many run at the same time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from app import create_app
from services.clock import clock
from services.db import db, transaction
from services.design import drafts, sandbox, scenario_runs
from services.models import DraftTestRun
from tests.conftest import FAST
from tests.designer_support import renamed_volontaire

KEY = "stage_volontaire"


def _waiting_run(label: str) -> int:
    with transaction():
        draft = drafts.save(KEY, renamed_volontaire(label), None, "designer")
        return scenario_runs.request_run(draft, ["volontaire"], "designer").id


def _status(run_id: int) -> str:
    db.session.rollback()
    return db.session.get(DraftTestRun, run_id, populate_existing=True).status


class StandIn:
    """sandbox.run that blocks until released and counts the runs inside it at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inside = 0
        self.most = 0
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, key, xml, features, timeout, parts=None, files=None):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.entered.release()
        assert self.release.wait(60), "never released"
        with self.lock:
            self.inside -= 1
        return sandbox.SandboxResult("reussi", (sandbox.ScenarioResult(
            "volontaire", "A", (), "passed"),))


@pytest.fixture
def stand_in(monkeypatch):
    fake = StandIn()
    monkeypatch.setattr(sandbox, "run", fake)
    monkeypatch.setattr(scenario_runs, "POLL_SECONDS", 0.05)
    yield fake
    fake.release.set()


def _worker_app(database_url):
    """Another web process: its own application, engine and connections."""
    return create_app({"DATABASE_URL": database_url, "CLOCK_MODE": "manual",
                       "SECRET_KEY": "test", "TESTING": True, **FAST})


def _execute_in(app, run_id, errors):
    with app.app_context():
        try:
            scenario_runs.execute(run_id)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            db.session.remove()


def test_two_web_processes_never_run_two_sandboxes_at_once(api, database_url, stand_in):
    first, second = _waiting_run("un"), _waiting_run("deux")
    errors: list[Exception] = []
    workers = [_worker_app(database_url), _worker_app(database_url)]
    threads = [threading.Thread(target=_execute_in, args=(w, r, errors))
               for w, r in zip(workers, (first, second), strict=True)]
    for t in threads:
        t.start()
    assert stand_in.entered.acquire(timeout=30)  # one of them is in the sandbox
    assert not stand_in.entered.acquire(timeout=1.0)  # the other one waits its turn
    assert sorted([_status(first), _status(second)]) == ["en_attente", "en_cours"]
    stand_in.release.set()
    for t in threads:
        t.join(60)
    assert errors == [] and stand_in.most == 1
    assert (_status(first), _status(second)) == ("reussi", "reussi")
    for w in workers:
        with w.app_context():
            db.engine.dispose()


def test_a_run_waits_while_another_process_runs_one_and_starts_when_it_ends(api, app):
    running, waiting = _waiting_run("ailleurs"), _waiting_run("ici")
    with transaction():  # another worker's run, in the sandbox right now
        other = db.session.get(DraftTestRun, running)
        other.status, other.started_at = scenario_runs.RUNNING, clock().system_now()
    assert scenario_runs._claim(waiting) is None
    assert _status(waiting) == "en_attente"
    app.config["SANDBOX_MAX_RUNS"] = 2
    key, xml, features = scenario_runs._claim(waiting)
    assert (key, features) == (KEY, ["volontaire"]) and b"ici" in xml
    assert _status(waiting) == "en_cours"


def test_a_run_left_en_cours_by_a_dead_process_does_not_hold_the_sandbox(api, app):
    dead, waiting = _waiting_run("mort"), _waiting_run("vivant")
    with transaction():
        other = db.session.get(DraftTestRun, dead)
        other.status = scenario_runs.RUNNING
        other.started_at = clock().system_now() - dt.timedelta(
            seconds=app.config["SANDBOX_TIMEOUT"] + 600)
    assert scenario_runs._claim(waiting) is not None
    assert _status(waiting) == "en_cours"


def test_a_run_that_waited_past_the_limit_is_recorded_as_an_error(api, app):
    busy, late = _waiting_run("occupe"), _waiting_run("en retard")
    with transaction():
        other = db.session.get(DraftTestRun, busy)
        other.status, other.started_at = scenario_runs.RUNNING, clock().system_now()
        db.session.get(DraftTestRun, late).requested_at = clock().system_now() - dt.timedelta(
            seconds=app.config["SANDBOX_TIMEOUT"] + 600)
    run = scenario_runs.execute(late)
    assert run.status == "erreur" and "Aucun bac à sable" in run.message
    assert _status(late) == "erreur"


def test_sandbox_max_runs_is_a_positive_setting():
    from services.settings import SettingsError, load_settings

    key = {"SECRET_KEY": "test"}  # no start-up without one
    assert load_settings("/tmp", env=key)["SANDBOX_MAX_RUNS"] == 1
    assert load_settings("/tmp", env={**key, "SANDBOX_MAX_RUNS": "3"})["SANDBOX_MAX_RUNS"] == 3
    for bad in ("0", "-1", "deux"):
        with pytest.raises(SettingsError, match="SANDBOX_MAX_RUNS"):
            load_settings("/tmp", env={**key, "SANDBOX_MAX_RUNS": bad})
