"""The letters made for a case (issue 15 item 3): immutable once stored, but for their PDF,
laid out once after the command that made the letter (issue 17)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from services.db import UTCDateTime, db


class Letter(db.Model):
    """A letter made from a template of the case's own process version: the data it was made
    from and its text (`html`), fixed by the command that made it; its PDF and the PDF's SHA-256,
    laid out from that text afterwards (services/letters.make_pdf), once. Never updated
    otherwise, never deleted: a corrected letter is another letter."""

    __tablename__ = "letter"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(120))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    bundle_checksum: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON)
    html: Mapped[str | None] = mapped_column(Text)  # None: made before issue 17, PDF only
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: not laid out yet
    sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_made_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str] = mapped_column(String(80))


class ImmutableLetter(RuntimeError):
    pass


@event.listens_for(Letter, "before_update")
def _no_update(mapper, connection, target):
    raise ImmutableLetter(f"Le courrier n° {target.id} est immuable : il ne peut être modifié.")


@event.listens_for(Letter, "before_delete")
def _no_delete(mapper, connection, target):
    raise ImmutableLetter(f"Le courrier n° {target.id} est immuable : il ne peut être supprimé.")
