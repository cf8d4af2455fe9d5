"""What a licence's page reads: the balance over time, the cases opened on it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services import licence_ledger
from services.clock import clock
from services.db import db
from services.models import Case, Licence


def balance_series(licence: Licence, today: dt.date | None = None, lg=None) -> list[dict]:
    """The balance after each movement date up to today (for the small chart); `lg`: the
    licence's ledger already replayed for the same page."""
    today = today or clock().today()
    lg = lg or licence_ledger.replay(licence)
    days = sorted({m.effective_on for m in lg.movements if m.effective_on <= today} | {today})
    return [{"on": d, "balance": lg.balance_on(d)} for d in days]


def cases_by_infraction(licence: Licence) -> dict[int, Case]:
    """The case opened on each of the licence's infractions (at most one each)."""
    rows = db.session.scalars(select(Case).where(Case.licence_id == licence.id,
                                                 Case.infraction_id.is_not(None))).all()
    return {c.infraction_id: c for c in rows}


def open_cases(licence: Licence) -> list[Case]:
    return db.session.scalars(select(Case).where(Case.licence_id == licence.id,
                                                 Case.closed.is_(False))
                              .order_by(Case.id)).all()
