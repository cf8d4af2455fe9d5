from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db


class ClockSetting(db.Model):
    """The manual clock's instant (CLOCK_MODE=manual), shared by all processes via the database."""

    __tablename__ = "clock_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    now = mapped_column(UTCDateTime(), nullable=False)
