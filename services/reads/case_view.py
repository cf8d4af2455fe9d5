"""What a case's page reads besides the case itself: its history."""

from __future__ import annotations

from sqlalchemy import select

from services.db import db
from services.models import Case, CaseEvent


def history(case: Case) -> list[CaseEvent]:
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.at, CaseEvent.id)).all()
