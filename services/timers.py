"""The timer sweep: fire what is due, each instance in its own transaction.

Its cost follows the number of due timers, not the number of open cases: it selects on the
indexed `next_timer_due_at` only (SKIP LOCKED on PostgreSQL so several workers share the work).
An instance whose version could not run its timer has an open incident: it is recorded once,
and the sweep skips that instance until the incident is resolved or the case is migrated to
another version (it would fail the same way at every sweep). Only the sweep's own incidents
stop it: a clerk's failed command on the case does not (services/incidents.py).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from services import audit, incidents, journey, reminders
from services.clock import clock
from services.db import command, db, many_commands
from services.models import Case, ProcessInstance
from workflows.errors_fr import described

log = logging.getLogger(__name__)


def _claim_due(now, limit: int):
    query = (select(ProcessInstance).where(ProcessInstance.next_timer_due_at <= now,
                                           ~incidents.timer_incident_on_current_version())
             .order_by(ProcessInstance.next_timer_due_at, ProcessInstance.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query.execution_options(populate_existing=True)).all()


@many_commands
def run_due(actor: str = "minuteur", limit: int | None = None) -> int:
    """Fire every timer due at the clock's now; returns how many instances fired."""
    fired = 0
    failed: set[int] = set()
    while limit is None or fired < limit:
        count = _fire_next(actor, failed)
        if count is None:
            break
        fired += count
    return fired


def _fire(run) -> tuple[int, list[tuple[str, str, str | None]]]:
    """Fire the run's due timers: how many, and the reminders among them."""
    count = run.fire_due_timers()
    return count, list(run.fired_reminders)


@command
def _fire_next(actor: str, failed: set[int]) -> int | None:
    """Fire the timers of the next due instance (not one of `failed`, which this sweep gave up
    on): how many fired, or None when nothing is due. A failure is recorded on that case, and
    the instance joins `failed`."""
    now = clock().now()
    due = [i for i in _claim_due(now, 1 + len(failed)) if i.id not in failed]
    if not due:
        return None
    instance = due[0]
    try:
        with db.session.begin_nested():
            case = journey.load_case(instance.case_id)
            count, fired = journey.apply(case, actor, _fire, instance=instance,
                                         command=incidents.TIMER_COMMAND)
            if count:
                audit.record(case, "minuteur_declenche", actor, timers=count, at=now)
            reminders.record(case, fired, actor)
        if not count:  # due but nothing fired: do not spin on it in this sweep
            failed.add(instance.id)
        return count
    except incidents.IncidentRaised as exc:  # its savepoint is rolled back
        failed.add(instance.id)
        try:
            with db.session.begin_nested():
                exc.record()
        except Exception:  # noqa: BLE001 - a failure to record must not stop the sweep
            log.exception("could not record the incident of instance %s", instance.id)
    except Exception as exc:  # one bad instance must not stop the sweep
        log.exception("timer failed for instance %s", instance.id)
        failed.add(instance.id)
        audit.record(db.session.get(Case, instance.case_id), "erreur_minuteur", actor,
                     erreur=described(exc)[:500],
                     message="Le minuteur n'a pas pu être déclenché à cause d'une erreur "
                             "technique ; rien n'a été modifié. Les administrateurs la lisent "
                             "dans le journal du serveur.")
    return 0


def _run_outbox() -> None:  # pragma: no cover - exercised by the CLI
    """The outbox's due jobs (services/outbox.py), in the same worker as the timers."""
    from services import outbox
    try:
        sent, failed = outbox.run_due()
        if sent or failed:
            log.info("outbox: %s sent, %s failed", sent, failed)
    except Exception:  # noqa: BLE001 - the timers go on whatever the outbox does
        log.exception("outbox pass failed")


def _catch_up_statistics() -> None:  # pragma: no cover - exercised by the CLI
    """The statistics' counters, for the cases the commands marked (services/stat_counters),
    in the same worker: a read of the statistics then has little left to add."""
    from services import stat_counters
    try:
        caught_up = stat_counters.catch_up_all(skip_locked=True)
        if caught_up:
            log.info("statistics: %s case(s) caught up", caught_up)
    except Exception:  # noqa: BLE001 - the timers go on whatever the catch-up does
        log.exception("statistics catch-up failed")


def loop(interval: float = 5.0) -> None:  # pragma: no cover - exercised by the CLI
    while True:
        fired = run_due()
        if fired:
            log.info("%s timer(s) fired", fired)
        _run_outbox()
        _catch_up_statistics()
        db.session.remove()
        time.sleep(interval)
