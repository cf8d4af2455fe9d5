"""The process designers' workspace: drafts (never live), their scenario test runs, and the
append-only history of each process definition."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db


class ProcessDraft(db.Model):
    """A saved BPMN edit. Immutable: saving again creates another draft, so a test run always
    speaks of exactly the bytes that would be deployed. Stored even with BPMN problems (so work
    is never lost), but never with unsafe or non-BPMN bytes."""

    __tablename__ = "process_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    based_on: Mapped[int | None]  # the version number it was edited from
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    checksum: Mapped[str] = mapped_column(String(64))
    # the bundle's files other than the BPMN: {"forms/<id>.form": form-js JSON text}
    files: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    valid: Mapped[bool] = mapped_column(default=False)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{"element_id","line","message"}]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at = mapped_column(UTCDateTime(), nullable=False)

    deployed_version = relationship("ProcessVersion", uselist=False, back_populates="draft",
                                    viewonly=True)


class DraftTestRun(db.Model):
    """One run of the acceptance features against a draft, in a sandbox process."""

    __tablename__ = "draft_test_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("process_drafts.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # en_attente|en_cours|reussi|echoue|erreur
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at = mapped_column(UTCDateTime(), nullable=False)
    started_at = mapped_column(UTCDateTime())
    finished_at = mapped_column(UTCDateTime())
    features: Mapped[list] = mapped_column(JSON, default=list)  # feature file stems asked for
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # {"passed","failed","total"}
    scenarios: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)  # why a run ended in `erreur`

    draft = relationship("ProcessDraft")


class ProcessEvent(db.Model):
    """Append-only history of a process definition: drafts saved, scenarios tested, versions
    deployed (forced or not), cases migrated. Never updated or deleted."""

    __tablename__ = "process_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    at = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(40))
    version: Mapped[int | None]
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("process_drafts.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
