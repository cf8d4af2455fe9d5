"""Whether the background worker keeps up: the timers and the outbox are run by a process of
their own (the timer loop, which also runs the outbox's due jobs), and nothing in the web pages
would otherwise tell that it is not running. Read from the work itself, not from a heartbeat:
the oldest timer and the oldest job still waiting well past their due instant say that no
worker has run them, whatever the reason (none started, all stuck, all failing to reach the
database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from services import incidents, outbox
from services.clock import clock
from services.db import db
from services.models import OutboxJob, ProcessInstance

# A worker passes every few seconds (`--interval`, 5 by default) and a pass may take a while on
# a large sweep: past this, waiting work is late, not merely queued.
LATE_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class LateWork:
    timers_since: dt.datetime | None  # the due instant of the oldest timer not fired
    jobs_since: dt.datetime | None  # the due instant of the oldest outbox job not run

    def __bool__(self) -> bool:
        return self.timers_since is not None or self.jobs_since is not None


def late_work(now: dt.datetime | None = None) -> LateWork:
    """Two indexed reads of one row each (the timers' and the outbox's due indexes), whatever
    the number of cases. A timer held back by an open incident of the sweep is not late work:
    the sweep skips it on purpose until the incident is dealt with."""
    limit = (now or clock().now()) - LATE_AFTER
    timer = db.session.scalar(
        select(ProcessInstance.next_timer_due_at)
        .where(ProcessInstance.next_timer_due_at <= limit,
               ~incidents.timer_incident_on_current_version())
        .order_by(ProcessInstance.next_timer_due_at).limit(1))
    job = db.session.scalar(
        select(OutboxJob.next_attempt_at)
        .where(OutboxJob.status == outbox.PENDING, OutboxJob.next_attempt_at <= limit)
        .order_by(OutboxJob.next_attempt_at).limit(1))
    if job is None:  # a job claimed by a worker that died: its lease ended long ago
        job = db.session.scalar(
            select(OutboxJob.locked_until)
            .where(OutboxJob.status == outbox.RUNNING, OutboxJob.locked_until <= limit)
            .order_by(OutboxJob.locked_until).limit(1))
    return LateWork(timer, job)
