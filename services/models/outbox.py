from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db


class OutboxJob(db.Model):
    """An external effect of a command (an email), written in the command's transaction and
    carried out later by the outbox worker (services/outbox.py): never lost, never sent twice."""

    __tablename__ = "outbox_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # services/channels.py: "email"
    # the idempotency key: the email's Message-ID, the same at every attempt
    key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))  # the catalogue action that wrote it
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # {to, subject, body}
    # en_attente | en_cours (claimed until locked_until) | envoye | abandonne
    status: Mapped[str] = mapped_column(String(12), default="en_attente")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime(), nullable=True)
    locked_until = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# the worker reads the due jobs by (status, instant) only
Index("ix_outbox_jobs_status_next", OutboxJob.status, OutboxJob.next_attempt_at)
