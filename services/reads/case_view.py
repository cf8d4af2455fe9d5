"""What a case's page reads besides the case itself: its history."""

from __future__ import annotations

from sqlalchemy import select

from services.db import db, paginate
from services.models import Case, CaseEvent


def history(case: Case) -> list[CaseEvent]:
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.at, CaseEvent.id)).all()


def history_page(case_id: int, page: int, per_page: int) -> tuple[list[CaseEvent], int]:
    """One page of a case's history, the oldest first (GET /cases/{id}/events)."""
    return paginate(select(CaseEvent).where(CaseEvent.case_id == case_id), (CaseEvent.id,),
                    page, per_page)
