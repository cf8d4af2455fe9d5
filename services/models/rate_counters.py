from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import db


class RateCounter(db.Model):
    """One fixed window of the rate limiter (login failures, a centre's refused enrolments):
    shared by every web process through the database (services/rate_counters.py). Times are
    real-time epoch milliseconds, like the limiter's own reset instants."""

    __tablename__ = "rate_counters"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # when the window ends; expired rows are deleted by the next writes (index)
    expires_ms: Mapped[int] = mapped_column(BigInteger, index=True)
