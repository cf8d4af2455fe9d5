"""The statistics' roll-up counters (issue 18): caught up after the commands that change a
figure (issue 17), so that the monthly figures and the heatmap read a few rows whatever the
number of cases (services/stat_counters.py writes them, services/statistics.py reads them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import db

ALL_CENTRES = 0  # centre_id of the figures of every centre together
NO_DAY = dt.date(1970, 1, 1)  # day of a step counter that has none (a timer, the running count)


class StatCounter(db.Model):
    """One figure of one month (`YYYY-MM`, Paris), for every centre (centre_id 0) or for the
    cases with a seat at one centre: a count, a sum (points, refund cents) or one day-count
    bucket of a histogram (`credit_days:<d>`)."""

    __tablename__ = "stat_counters"
    centre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    figure: Mapped[str] = mapped_column(String(120), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class StatStep(db.Model):
    """Where a process version's running cases wait: open tasks at an element by the (Paris)
    day they were opened, cases waiting on a timer, and the running instances."""

    __tablename__ = "stat_steps"
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # task|timer|running
    element: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class StatCaseParts(db.Model):
    """What one case's rows add to the counters as they stand (`parts`: its contribution when
    last added), and whether a command changed it since (`pending`: the mark of the last command
    that did, a random number; NULL once the counters caught up). A case without a row has
    never been caught up since the counters were rebuilt: the first command that changes it
    reads its contribution first (services/stat_counters.py)."""

    __tablename__ = "stat_case_parts"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # {"m": [[centre, month, figure, n], ...], "s": [[version, kind, element, day, n], ...]};
    # NULL only if a rebuild removed the row while a command was marking it (then not diffed)
    parts: Mapped[dict | None] = mapped_column(JSON)
    pending: Mapped[int | None] = mapped_column(BigInteger)


# the catch-up reads the marked cases only
Index("ix_stat_case_parts_pending", StatCaseParts.pending,
      postgresql_where=text("pending IS NOT NULL"), sqlite_where=text("pending IS NOT NULL"))
