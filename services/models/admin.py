from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db


class AdminEvent(db.Model):
    """Append-only journal of the admins' actions that no other history holds (services/
    admin_log.py): users and their tokens, clerks' groups and their members, the manual clock,
    an abandoned send put back. Who (`actor`), when (`at`, real time), what (`type`, on
    `subject`), and the change as {field: [before, after]} in `detail`."""

    __tablename__ = "admin_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime(), nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(120), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
