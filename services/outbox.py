"""The outbox: the external effects of commands (emails), run after their command commits.

A job is written in the command's transaction (`enqueue`): a command rolled back, or a crash
before its commit, leaves no job; a committed command leaves one that is never lost. The worker
(`run_due`: `flask outbox run`, and each pass of the timer loop) claims one due job at a time in
a short transaction of its own (FOR UPDATE SKIP LOCKED on PostgreSQL, as the timer sweep does;
SQLite serialises its writers): status "en_cours" with a lease, one more attempt. It sends
outside any transaction, then records the result: "envoye", or back to "en_attente" with an
exponential back-off (1, 2, 4 … minutes), "abandonne" after MAX_ATTEMPTS (visible to admins, who
may put it back). A worker that dies mid-send leaves the job claimed until its lease ends; it is
then sent again with the same Message-ID (its idempotency key), which mail servers and clients
use to drop the duplicate: a job is never sent twice by two workers at once, and a retry is
recognisable as the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from services import admin_log, channels
from services.clock import clock
from services.db import command, db, many_commands, paginate
from services.errors import Conflict, NotFound
from services.models import OutboxJob
from services.row_writes import insert_row
from workflows.errors_fr import described

log = logging.getLogger(__name__)

PENDING, RUNNING, SENT, ABANDONED = "en_attente", "en_cours", "envoye", "abandonne"
STATUS_LABELS = {PENDING: "En attente", RUNNING: "En cours", SENT: "Envoyé",
                 ABANDONED: "Abandonné"}
MAX_ATTEMPTS = 8
FIRST_DELAY = dt.timedelta(minutes=1)
LEASE = dt.timedelta(minutes=10)
MAX_ERROR = OutboxJob.__table__.c.last_error.type.length


def new_key(sender: str) -> str:
    """A Message-ID, unique, fixed once for every attempt of the job."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<outbox-{uuid.uuid4().hex}@{domain}>"


def enqueue(channel: str, *, case_id: int | None, action: str, payload: dict,
            key: str) -> OutboxJob:
    """A job in the current command's transaction (committed or rolled back with it)."""
    now = clock().now()
    job = OutboxJob(channel=channel, key=key, case_id=case_id, action=action, payload=payload,
                    status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
    insert_row(job)  # past the unit of work (services/row_writes.insert_row): no flush
    return job


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes."""
    return FIRST_DELAY * (2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    key: str
    payload: dict
    attempts: int


@command
def claim(now: dt.datetime | None = None, skip: frozenset[int] = frozenset()) -> Claimed | None:
    """Take the next due job (pending and due, or claimed by a worker whose lease ended)."""
    now = now or clock().now()
    query = (select(OutboxJob).where(or_(
        and_(OutboxJob.status == PENDING, OutboxJob.next_attempt_at <= now),
        and_(OutboxJob.status == RUNNING, OutboxJob.locked_until <= now)))
        .order_by(OutboxJob.next_attempt_at, OutboxJob.id).limit(1 + len(skip)))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = [j for j in db.session.scalars(query.execution_options(populate_existing=True))
            if j.id not in skip]
    if not jobs:
        return None
    job = jobs[0]
    job.status, job.locked_until, job.attempts = RUNNING, now + LEASE, job.attempts + 1
    return Claimed(job.id, job.channel, job.key, dict(job.payload), job.attempts)


@command
def finish(job_id: int, attempts: int, error: str | None) -> str | None:
    """Record an attempt's result (only if the job is still this attempt's): the job's new
    status, or None when another worker's attempt counts instead."""
    job = db.session.get(OutboxJob, job_id, with_for_update=True)
    if job is None or job.status != RUNNING or job.attempts != attempts:
        return None  # another worker took it over after the lease: its result counts
    now = clock().now()
    job.locked_until = None
    if error is None:
        job.status, job.sent_at, job.last_error = SENT, now, None
        job.next_attempt_at = None
    elif attempts >= MAX_ATTEMPTS:
        job.status, job.last_error, job.next_attempt_at = ABANDONED, error[:MAX_ERROR], None
    else:
        job.status, job.last_error = PENDING, error[:MAX_ERROR]
        job.next_attempt_at = now + backoff(attempts)
    return job.status


@many_commands
def run_due(limit: int | None = None) -> tuple[int, int]:
    """Send every due job (one at a time, each claimed then finished in its own transaction):
    (sent, failed)."""
    done = run_pass(limit)
    return done.sent, done.retried + done.abandoned


@dataclass(frozen=True)
class Pass:
    """What one pass did: jobs sent, failed and to be retried, failed and abandoned (after
    MAX_ATTEMPTS; an admin may put them back)."""
    sent: int
    retried: int
    abandoned: int


@many_commands
def run_pass(limit: int | None = None) -> Pass:
    """run_due, telling the abandoned jobs apart from those retried later."""
    sent = retried = abandoned = 0
    tried: set[int] = set()
    while limit is None or sent + retried + abandoned < limit:
        job = claim(skip=frozenset(tried))
        if job is None:
            break
        tried.add(job.id)
        error = _send(job)
        status = finish(job.id, job.attempts, error)
        if error is None:
            sent += 1
        elif status == ABANDONED:
            abandoned += 1
        else:
            retried += 1
    return Pass(sent, retried, abandoned)


def _send(job: Claimed) -> str | None:
    channel = channels.get(job.channel)
    if channel is None:
        return f"canal inconnu « {job.channel} »"
    try:
        channel.send(job)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, and shown to admins
        log.warning("outbox job %s failed: %s", job.id, exc)
        return described(exc)  # French first (« connexion refusée … »), then Python's
    return None


# ---- admins' view ---------------------------------------------------------------------------

def list_jobs(status: str | None, page: int, per_page: int) -> tuple[list[dict], int]:
    query = select(OutboxJob)
    if status is not None:
        query = query.where(OutboxJob.status == status)
    items, total = paginate(query, (OutboxJob.id.desc(),), page, per_page)
    return [view(j) for j in items], total


def view(job: OutboxJob) -> dict:
    return {"id": job.id, "channel": job.channel, "key": job.key, "case_id": job.case_id,
            "action": job.action, "to": job.payload.get("to"),
            "subject": job.payload.get("subject"), "status": job.status,
            "status_label": STATUS_LABELS.get(job.status, job.status),
            "attempts": job.attempts, "next_attempt_at": job.next_attempt_at,
            "last_error": job.last_error, "created_at": job.created_at, "sent_at": job.sent_at}


@command
def retry(job_id: int, actor: str) -> dict:
    """Put an abandoned job back in the queue, due now (its attempts start again); the admins'
    journal says who did."""
    job = db.session.get(OutboxJob, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"Aucune tâche d'envoi n° {job_id}.")
    if job.status != ABANDONED:
        raise Conflict("Seule une tâche d'envoi abandonnée peut être relancée.")
    admin_log.record(actor, "envoi_relance", f"envoi:{job.id}", status=[job.status, PENDING],
                     attempts=[job.attempts, 0], case=job.case_id, last_error=job.last_error)
    job.status, job.attempts, job.next_attempt_at = PENDING, 0, clock().now()
    return view(job)
