from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db


class Licence(db.Model):
    __tablename__ = "licences"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    last_name: Mapped[str] = mapped_column(String(120), index=True)
    first_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    obtained_on: Mapped[dt.date] = mapped_column(Date)
    probation: Mapped[str] = mapped_column(String(10))  # classic | aac | none
    formation_complementaire: Mapped[bool] = mapped_column(default=False)
    imported_points: Mapped[int | None]
    imported_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    # the number and the names folded (services/text_search.search_key): what the search reads
    search_key: Mapped[str | None] = mapped_column(Text)

    infractions = relationship("Infraction", order_by="Infraction.id", back_populates="licence")
    invalidations = relationship("Invalidation", order_by="Invalidation.id")

    @property
    def holder_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Infraction(db.Model):
    """A retrait-bearing infraction with the four dates of R8 (commission, réalité, décision)."""

    __tablename__ = "infractions"
    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    committed_on: Mapped[dt.date] = mapped_column(Date)
    points: Mapped[int]
    offence_class: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(255))
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_on: Mapped[dt.date] = mapped_column(Date)
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    fine_kind: Mapped[str | None] = mapped_column(String(30))
    fine_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    triggers_48n: Mapped[bool] = mapped_column(default=False)
    recorded_at = mapped_column(UTCDateTime(), nullable=False)

    licence = relationship("Licence", back_populates="infractions")


class Invalidation(db.Model):
    """A 48SI (R6, R42): the licence is invalid from its notification."""

    __tablename__ = "invalidations"
    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    decision_on: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_at = mapped_column(UTCDateTime(), nullable=False)
