from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db


class Centre(db.Model):
    __tablename__ = "centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    agrement: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    departement: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    # where the catalogue's `notifier_centre` sends (services/actions/notifier_centre.py)
    email: Mapped[str | None] = mapped_column(String(254))


class CentreEvent(db.Model):
    """Append-only history of a centre's record (services/centres.py): who changed what, when."""

    __tablename__ = "centre_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    at = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(60))  # centre_cree | centre_modifie
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class CourseSession(db.Model):
    """A two-day course session (R31) declared by an approved centre."""

    __tablename__ = "course_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    day1: Mapped[dt.date] = mapped_column(Date, index=True)
    day2: Mapped[dt.date] = mapped_column(Date)
    capacity: Mapped[int]
    driving_sequence: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned|held|cancelled
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(String(255))
    created_at = mapped_column(UTCDateTime(), nullable=False)

    centre = relationship("Centre")
    enrollments = relationship("Enrollment", order_by="Enrollment.id", back_populates="session")


class Enrollment(db.Model):
    """One case's seat in a session, its attendance (R34) and what became of the course."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("session_id", "case_id", name="uq_enrollment_session_case"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # enrolled | cancelled (the session cancelled, R36, or its case closed before the
    # session's first day, LD4: no seat held) | attended
    status: Mapped[str] = mapped_column(String(12), default="enrolled")
    day1: Mapped[str | None] = mapped_column(String(10))  # present|absent|late
    day2: Mapped[str | None] = mapped_column(String(10))
    attestation_issued_on: Mapped[dt.date | None] = mapped_column(Date)
    attestation_received_on: Mapped[dt.date | None] = mapped_column(Date)
    verification: Mapped[str | None] = mapped_column(String(12))  # valider|refuser
    verification_motif: Mapped[str | None] = mapped_column(String(500))
    credit_decision: Mapped[str | None] = mapped_column(String(12))  # crediter|refuser
    credit_motif: Mapped[str | None] = mapped_column(String(500))
    credit_rule: Mapped[str | None] = mapped_column(String(10))  # why a person refused (R32…)
    # the manual review's separate choices (R19, R48); None: the default derived from the decision
    review_obligation: Mapped[str | None] = mapped_column(String(12))  # remplie|non_remplie
    review_refund: Mapped[str | None] = mapped_column(String(12))  # accorde|refuse
    credited_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), nullable=False)

    session = relationship("CourseSession", back_populates="enrollments")
    case = relationship("Case", foreign_keys=[case_id], back_populates="enrollments")


# the statistics: courses by their last day, credits by their instant (0008_stats)
Index("ix_course_sessions_day2", CourseSession.day2)
Index("ix_enrollments_credited_at", Enrollment.credited_at)
