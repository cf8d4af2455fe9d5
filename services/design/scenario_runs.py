"""Scenario test runs of drafts: requested by the API (run in a background thread) or the CLI
(run at once); each records its outcome in its own transaction, and in the process history.

The run itself (services/sandbox.py) is a separate process on its own temporary database: a
run never writes in the application's database except its own test-run row.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy import func, select

from services import bundles
from services.clock import clock
from services.db import LOCK_SANDBOX_CLAIM, advisory_lock, command, db, many_commands
from services.design import process_history, sandbox
from services.errors import Conflict, Invalid, NotFound, TooManyRequests, sentences
from services.models import DraftTestRun, ProcessDraft
from services.settings import setting

log = logging.getLogger(__name__)

WAITING, RUNNING, PASSED, FAILED, ERROR = "en_attente", "en_cours", "reussi", "echoue", "erreur"
DEFAULT_TIMEOUT = 900  # seconds; the full acceptance suite takes far less (docs/designers.md)
GRACE = dt.timedelta(seconds=120)  # past its time limit and this, a run's process is dead
POLL_SECONDS = 2.0  # how often a waiting run asks for a free sandbox
# Runs of the API wait for a sandbox in a thread of the web process each (they poll the
# database): 228 queued runs once meant 102 waiting threads and 282 MB. At most this many wait
# on the whole deployment (SANDBOX_MAX_QUEUE); one more is a 429. A run takes minutes and one
# waiting longer than its time limit is given up anyway, so a longer queue would only hold
# runs bound to fail.
DEFAULT_MAX_QUEUE = 10
RETRY_AFTER_SECONDS = 60  # the Retry-After of a refusal: about the time of one short run


def timeout() -> float:
    return float(setting("SANDBOX_TIMEOUT") or DEFAULT_TIMEOUT)


def max_runs() -> int:
    """How many sandboxes may run at once on the whole deployment (SANDBOX_MAX_RUNS)."""
    return int(setting("SANDBOX_MAX_RUNS") or 1)


def parts() -> int:
    """How many processes one run uses, each on a share of the features (SANDBOX_PARTS)."""
    return int(setting("SANDBOX_PARTS") or sandbox.default_parts())


def max_queue() -> int:
    """How many API runs may wait for a sandbox at once on the whole deployment."""
    return int(setting("SANDBOX_MAX_QUEUE") or DEFAULT_MAX_QUEUE)  # settings.py


def _stale_limit() -> dt.timedelta:
    return dt.timedelta(seconds=timeout()) + GRACE


def check_features(features: list[str] | None) -> list[str]:
    known = set(sandbox.available_features())
    errors = {f"features.{i}": [f"Fonctionnalité inconnue « {name} » ; fonctionnalités : "
                                f"{', '.join(sorted(known))}."]
              for i, name in enumerate(features or []) if name not in known}
    if errors:
        raise Invalid("Fonctionnalité inconnue.", errors)
    return list(dict.fromkeys(features or []))  # order kept, duplicates dropped


@command
def request_run(draft: ProcessDraft, features: list[str] | None, actor: str,
                bounded: bool = False) -> DraftTestRun:
    """Record a waiting run of `draft` (422 when the draft has BPMN problems). `bounded` (the
    API, whose runs wait in a thread each): 409 while a run of the same draft is waiting or
    running, 429 when SANDBOX_MAX_QUEUE runs wait already; both with Retry-After."""
    features = check_features(features)
    if not draft.valid:
        n = len(draft.problems)
        raise Invalid(f"Le brouillon n° {draft.id} a {n} problème{'s' if n > 1 else ''} BPMN : "
                      f"corrigez-l{'es' if n > 1 else 'e'} avant de lancer les scénarios.",
                      {(p.get("element_id") or "document"): [p["message"]]
                       for p in draft.problems})
    if bounded:
        _check_queue(draft)
    run = DraftTestRun(draft_id=draft.id, status=WAITING, requested_by=actor,
                       requested_at=clock().system_now(), features=features, summary={},
                       scenarios=[])
    db.session.add(run)
    db.session.flush()
    return run


def _check_queue(draft: ProcessDraft) -> None:
    advisory_lock(LOCK_SANDBOX_CLAIM, "sandbox")  # two requests cannot both take the last place
    since = clock().system_now() - _stale_limit()  # older ones are given up: they hold no place
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    pending = db.session.scalar(
        select(DraftTestRun.id).where(DraftTestRun.draft_id == draft.id,
                                      DraftTestRun.status.in_((WAITING, RUNNING)),
                                      func.coalesce(DraftTestRun.started_at,
                                                    DraftTestRun.requested_at) > since)
        .order_by(DraftTestRun.id).limit(1))
    if pending is not None:
        raise Conflict(f"Un test de ce brouillon est déjà en attente ou en cours (test n° "
                       f"{pending}) : attendez son résultat avant d'en lancer un autre.",
                       headers=retry)
    waiting = db.session.scalar(select(func.count(DraftTestRun.id)).where(
        DraftTestRun.status == WAITING, DraftTestRun.requested_at > since))
    if waiting >= max_queue():
        raise TooManyRequests(f"{waiting} tests de scénarios attendent déjà un bac à sable (au "
                              f"plus {max_queue()}) : réessayez dans quelques minutes.",
                              headers=retry)


def start(run_id: int) -> None:
    """Execute the run now (SANDBOX_SYNC, tests) or in a background thread (the API answers
    202 at once). Call after the run row was committed."""
    app = current_app._get_current_object()
    if app.config.get("SANDBOX_SYNC"):
        execute(run_id)
        return
    threading.Thread(target=_in_background, args=(app, run_id), daemon=True,
                     name=f"test-run-{run_id}").start()


def _in_background(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute(run_id)
        except Exception:  # noqa: BLE001 - a thread has nobody to raise to: record it
            log.exception("test run %s failed", run_id)
            _give_up(run_id)
        finally:
            db.session.remove()


@many_commands
def execute(run_id: int) -> DraftTestRun:
    """Run a waiting test run in the sandbox as soon as one is free on the whole deployment
    (at most SANDBOX_MAX_RUNS at once: every web process and the CLI share the limit through
    the database), and record its outcome: the claim, then the result, each its own command."""
    while (claim := _claim(run_id)) is None:
        time.sleep(POLL_SECONDS)
    if isinstance(claim, DraftTestRun):
        return claim  # run by someone else, or given up
    try:
        key, xml, features = claim
        result = sandbox.run(key, xml, features, timeout=timeout(), parts=parts(),
                             files=_draft_files(run_id))
    except Invalid as exc:  # validated again before anything starts: nothing ran
        result = sandbox.SandboxResult(ERROR, message=(
            f"{exc.detail} Rien n'a été lancé. "
            + sentences(f"{k} : {m}" for k, ms in exc.errors.items() for m in ms))[:4000])
    return _record_result(run_id, result)


def _draft_files(run_id: int) -> dict:
    """The files of the bundle of the run's draft (its forms)."""
    run = db.session.get(DraftTestRun, run_id)
    return bundles.decode_files(run.draft.files) if run is not None else {}


@command
def _give_up(run_id: int) -> None:
    """A run whose thread failed is recorded as an internal error (unless it ended already)."""
    run = db.session.get(DraftTestRun, run_id)
    if run is not None and run.status in (WAITING, RUNNING):
        _finish(run, sandbox.SandboxResult(ERROR, message=(
            "Erreur interne pendant le test des scénarios ; rien d'autre n'a été modifié.")))


@command
def _record_result(run_id: int, result: sandbox.SandboxResult) -> DraftTestRun:
    run = db.session.get(DraftTestRun, run_id, with_for_update=True)
    _finish(run, result)
    return run


@command
def _claim(run_id: int) -> tuple[str, bytes, list[str]] | DraftTestRun | None:
    """Take a free sandbox for the run: its (key, xml, features), the run now `en_cours`; the run
    itself when it is no longer waiting (or waited past the limit: recorded `erreur`); None when
    every sandbox is busy. One command, serialised with every other claim."""
    advisory_lock(LOCK_SANDBOX_CLAIM, "sandbox")
    run = db.session.get(DraftTestRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(f"Aucun test n° {run_id}.")
    if run.status != WAITING:
        return run
    now = clock().system_now()
    if now - run.requested_at > _stale_limit():
        _finish(run, sandbox.SandboxResult(ERROR, message=(
            "Aucun bac à sable ne s'est libéré dans le délai permis ; relancez les "
            "scénarios.")))
        return run
    busy = db.session.scalar(select(func.count(DraftTestRun.id)).where(
        DraftTestRun.status == RUNNING, DraftTestRun.started_at > now - _stale_limit()))
    if busy >= max_runs():
        return None
    run.status = RUNNING
    run.started_at = now
    return run.draft.key, run.draft.xml, list(run.features or [])


def _finish(run: DraftTestRun, result: sandbox.SandboxResult) -> None:
    run.status = result.status
    run.finished_at = clock().system_now()
    run.summary = result.summary
    run.scenarios = [s.as_dict() for s in result.scenarios]
    run.message = result.message
    draft = run.draft
    process_history.record(draft.key, process_history.SCENARIOS_TESTED, run.requested_by,
                           draft=draft.id, test=run.id, statut=run.status,
                           fonctionnalites=list(run.features or []) or "toutes",
                           **run.summary)


def get(run_id: int) -> DraftTestRun:
    run = db.session.get(DraftTestRun, run_id)
    if run is None:
        raise NotFound(f"Aucun test n° {run_id}.")
    return run



def effective_status(run: DraftTestRun) -> str:
    """A run still waiting or running long after its time limit is reported `erreur` (the
    process that ran it died); the row itself is left as it was."""
    if run.status not in (WAITING, RUNNING):
        return run.status
    since = run.started_at or run.requested_at
    if clock().system_now() - since > _stale_limit():
        return ERROR
    return run.status


def view(run: DraftTestRun) -> dict:
    status = effective_status(run)
    message = run.message
    if status == ERROR and run.status in (WAITING, RUNNING):
        message = ("Le test est resté « " + run.status + " » au-delà du délai permis : le "
                   "processus qui l'exécutait s'est arrêté. Relancez les scénarios.")
    return {"id": run.id, "draft": run.draft_id, "status": status,
            "requested_by": run.requested_by, "requested_at": run.requested_at,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "features": list(run.features or []),
            "summary": dict(run.summary or {"passed": 0, "failed": 0, "total": 0}),
            "scenarios": list(run.scenarios or []), "message": message}
