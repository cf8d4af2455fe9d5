from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db


class Case(db.Model):
    """A driver's journey through one course obligation or request (the searchable projection)."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # obligatoire | volontaire
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    infraction_id: Mapped[int | None] = mapped_column(ForeignKey("infractions.id"))
    letter_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    letter_receipt: Mapped[str | None] = mapped_column(String(10))  # signed|unclaimed|npai
    letter_received_on: Mapped[dt.date | None] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)  # D11: when the deadline starts
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(40), index=True)
    # the label the diagram gives the status (docs/process-bundle.md); None: services.statuses'
    status_label: Mapped[str | None] = mapped_column(String(120))
    closed: Mapped[bool] = mapped_column(default=False, index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("course_sessions.id"))
    obligation: Mapped[str | None] = mapped_column(String(20))  # pending|met|not_met|manual_review
    referral: Mapped[str | None] = mapped_column(String(20))
    refund: Mapped[dict | None] = mapped_column(JSON)
    credited_enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", use_alter=True))
    flags: Mapped[list] = mapped_column(JSON, default=list)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)

    licence = relationship("Licence")
    infraction = relationship("Infraction")
    session = relationship("CourseSession", foreign_keys=[session_id])
    enrollments = relationship("Enrollment", foreign_keys="Enrollment.case_id",
                               order_by="Enrollment.id", back_populates="case")
    credited_enrollment = relationship("Enrollment", foreign_keys=[credited_enrollment_id],
                                       post_update=True)
    instance = relationship("ProcessInstance", uselist=False, back_populates="case")

    def add_flag(self, rule: str, message: str) -> None:
        """Record a flag once (the JSON list is reassigned so the change is persisted)."""
        flags = self.flags_with([(rule, message)])
        if flags != (self.flags or []):
            self.flags = flags

    def flags_with(self, new) -> list:
        """The case's flags with each (rule, message) of `new` once: a new list, the case's
        untouched (for a command that writes it past the unit of work)."""
        flags = list(self.flags or [])
        for rule, message in new:
            if not any(f["rule"] == rule and f["message"] == message for f in flags):
                flags.append({"rule": rule, "message": message})
        return flags


class CaseEvent(db.Model):
    """Append-only history: who did what, when. Never updated or deleted."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# The statistics (services/statistics.py) read index ranges, not the whole tables (0008_stats):
# events by type and instant, 48N letters by month (with the obligation: index-only), cases by
# creation.
Index("ix_case_events_type_at", CaseEvent.type, CaseEvent.at)
Index("ix_cases_kind_letter_sent", Case.kind, Case.letter_sent_on, Case.obligation)
Index("ix_cases_created_kind", Case.created_at, Case.kind)


class CaseProposal(db.Model):
    """A recomputed outcome waiting for a clerk (issue 16): the rules replayed after a rule
    change or a late fact would change what a command stored on the case (the 48N trigger, the
    refund, the obligation). Nothing is applied until an agent accepts it; dismissed with a
    reason, or replaced by a newer replay, it stays as history."""

    __tablename__ = "case_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # pending | accepted | dismissed | superseded
    state: Mapped[str] = mapped_column(String(12), index=True)
    changes: Mapped[list] = mapped_column(JSON)  # [{"field", "before", "after", "rule", "text"}]
    reason: Mapped[str] = mapped_column(String(200))
    proposed_at = mapped_column(UTCDateTime(), nullable=False)
    proposed_by: Mapped[str] = mapped_column(String(80))
    decided_at = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decision_motif: Mapped[str | None] = mapped_column(String(500))
