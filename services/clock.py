"""The application clock: the only place that reads the system time.

In CLOCK_MODE=manual (demos, acceptance runs) an admin sets the instant; it is kept in the
database so that every web process and timer worker reads the same time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from flask import current_app

from services.db import command, db
from services.errors import Conflict
from services.models import ClockSetting

PARIS = ZoneInfo("Europe/Paris")
# The days the manual clock may show. The rules add months and years to the clock's today
# (4-month deadline, one-month crediting delay, probation of 2 or 3 years, 3- and 10-year
# recoveries, refund deadlines, timers): a day near 9999-12-31 made them overflow (a 500 on the
# dashboard, and a clock that could not go back). 2000-2099 leaves every computation ten years
# and more of room on either side, and holds every date the prefecture handles.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


class AppClock:
    def __init__(self, mode: str):
        self.mode = mode
        self._frozen: dt.datetime | None = None

    def system_now(self) -> dt.datetime:
        return system_now()

    @contextmanager
    def frozen(self, instant: dt.datetime) -> Iterator[None]:
        """Every reading returns `instant` meanwhile, in either mode: the demo data writes its
        history on the days it would have happened. Single-threaded use (a CLI command) only."""
        previous, self._frozen = self._frozen, instant
        try:
            yield
        finally:
            self._frozen = previous

    def now(self) -> dt.datetime:
        if self._frozen is not None:
            return self._frozen
        if self.mode == "manual":
            setting = db.session.get(ClockSetting, 1)
            if setting is not None:
                return setting.now.astimezone(PARIS)
        return self.system_now()

    def today(self) -> dt.date:
        return self.now().date()

    @command
    def set(self, instant: dt.datetime, actor: str = "systeme") -> dt.datetime:
        """Move the manual clock; it never goes backwards once set (API.md). The admins'
        journal keeps each move, before and after (services/admin_log.py)."""
        from services import admin_log  # late: its services.audit imports this module

        if self.mode != "manual":
            raise Conflict("L'horloge ne peut être réglée qu'en mode manuel (CLOCK_MODE=manual).")
        setting = db.session.get(ClockSetting, 1, with_for_update=True)
        before = setting.now.astimezone(PARIS) if setting is not None else None
        if setting is None:
            db.session.add(ClockSetting(id=1, now=instant))
        elif instant < setting.now and in_range(setting.now):
            raise Conflict(
                "L'horloge ne recule pas : elle indique déjà "
                f"{setting.now.astimezone(PARIS).isoformat()}.")
        else:
            setting.now = instant
        if before != instant:
            admin_log.record(actor, "horloge_reglee", "horloge",
                             now=[before, instant.astimezone(PARIS)])
        return instant.astimezone(PARIS)


def system_now() -> dt.datetime:
    """The real time, whatever CLOCK_MODE says: what rate limits count in (Flask-Limiter reads
    the system time for its reset instants)."""
    return dt.datetime.now(PARIS)


def in_range(instant: dt.datetime) -> bool:
    """Whether the rules can compute from this instant (a clock set before the range existed
    may be outside it: it can then be set back into the range)."""
    try:
        return FIRST_DAY <= instant.astimezone(PARIS).date() <= LAST_DAY
    except OverflowError:
        return False


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=PARIS)


def in_paris(instant: dt.datetime | None) -> dt.datetime | None:
    """The same instant with the Paris offset (stable output whether fresh or read back)."""
    return instant.astimezone(PARIS) if instant is not None else None


def clock() -> AppClock:
    return current_app.extensions["app_clock"]
