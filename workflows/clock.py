"""Clock adapter: SpiffWorkflow's timers read the application clock.

SpiffWorkflow has no clock parameter: ``TimerEventDefinition`` calls ``datetime.now(timezone.utc)``
on the ``datetime`` name imported into its module. We replace that name, once, by a subclass whose
``now()`` reads a context variable that :func:`engine_clock` sets around every engine operation
(so it is thread- and task-safe). Outside such a block the real time is used.

Spiff decides that a timer fired when ``due < now`` (strictly). The law wants the timer to fire
AT its instant (the start of the Paris day after the deadline), so the adapter reports
``now + 1 µs``: a timer due at ``t`` fires when the application clock reads ``t``.

A duration timer (``timeDuration``, e.g. a reminder's ``P7D``) is computed here, not by Spiff
(a QA finding: Spiff added the duration to that ``now + 1 µs`` in UTC, so a reminder was due
1 µs after Paris midnight, in UTC, and did not fire at the midnight it was meant for): from the
application clock's exact now, in the clock's own zone (Europe/Paris for the application),
years, months, weeks and days are added on the calendar — a day starts at local midnight
whatever the DST change, a month past its end is clamped to its last day (DOMAIN D1, D4, D10:
calendar addition) — and hours, minutes, seconds as elapsed time. The due instant keeps the
clock's offset (``2027-01-26T00:00:00+01:00``), like the deadline timers.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import threading
from calendar import monthrange
from collections.abc import Callable, Iterator
from contextvars import ContextVar

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer

TIMER_EPSILON = _dt.timedelta(microseconds=1)

_current_now: ContextVar[Callable[[], _dt.datetime] | None] = ContextVar(
    "workflows_engine_now", default=None
)
_install_lock = threading.Lock()


class NaiveDatetimeError(ValueError):
    """The application clock returned a naive datetime."""


def _app_now() -> _dt.datetime | None:
    fn = _current_now.get()
    if fn is None:
        return None
    value = fn()
    if not isinstance(value, _dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            "l'horloge de l'application doit renvoyer une date-heure avec fuseau"
        )
    return value


class EngineDateTime(_dt.datetime):
    """``datetime`` whose ``now()`` reads the application clock set by :func:`engine_clock`."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        value = _app_now()
        if value is None:
            return _dt.datetime.now(tz)
        value = value + TIMER_EPSILON
        return value.astimezone(tz) if tz is not None else value


def _exact_now() -> _dt.datetime:
    """The application clock's now (no epsilon), or the real time outside an engine block."""
    value = _app_now()
    return value if value is not None else _dt.datetime.now(_dt.UTC)


def _add_months(day: _dt.date, months: int) -> _dt.date:
    """Calendar addition, clamped to the month's last day (31/01 + 1 month = 28 or 29/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def duration_due(parsed: dict, start: _dt.datetime) -> _dt.datetime:
    """When a timer of ISO duration `parsed` (SpiffWorkflow's parse_iso_duration) started at
    `start` (aware) is due, in `start`'s zone: the calendar part on the local wall clock, the
    time part (and any fraction) as elapsed time."""
    parts = dict(parsed)
    months = parts.pop("years", 0) * 12 + parts.pop("months", 0)
    days = parts.pop("weeks", 0) * 7 + parts.pop("days", 0)
    whole_months, whole_days = int(months), int(days)
    wall = start.replace(tzinfo=None)
    day = _add_months(wall.date(), whole_months) + _dt.timedelta(days=whole_days)
    local = _dt.datetime.combine(day, wall.time(), tzinfo=start.tzinfo)
    # fractions (P1.5D, P0.5M as Spiff reads them: of the month reached) and T parts: elapsed
    elapsed = _dt.timedelta(days=days - whole_days, **parts)
    if months != whole_months:
        elapsed += _dt.timedelta(days=(months - whole_months) * monthrange(day.year,
                                                                           day.month)[1])
    due = local.astimezone(_dt.UTC) + elapsed
    return due.astimezone(start.tzinfo)


def _duration_has_fired(self, my_task) -> bool:
    """DurationTimerEventDefinition.has_fired, with the due instant of `duration_due` from the
    clock's exact now (SpiffWorkflow 3.2.0's own code otherwise, the comparison included)."""
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        parsed = _spiff_timer.TimerEventDefinition.parse_iso_duration(expression)
        event_value = duration_due(parsed, _exact_now()).isoformat()
        my_task._set_internal_data(event_value=event_value)
    if _spiff_timer.TimerEventDefinition.get_datetime(event_value) < EngineDateTime.now(
            _dt.UTC):
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


def install() -> None:
    """Patch SpiffWorkflow's timer module once (idempotent)."""
    with _install_lock:
        if _spiff_timer.datetime is not EngineDateTime:
            _spiff_timer.datetime = EngineDateTime
        duration = _spiff_timer.DurationTimerEventDefinition
        if duration.has_fired is not _duration_has_fired:
            duration.has_fired = _duration_has_fired


@contextlib.contextmanager
def engine_clock(now: Callable[[], _dt.datetime]) -> Iterator[None]:
    """Within this block, the engine's timers read ``now()``."""
    install()
    token = _current_now.set(now)
    try:
        yield
    finally:
        _current_now.reset(token)


def current_now(now: Callable[[], _dt.datetime]) -> _dt.datetime:
    """``now()`` checked to be aware (helper for the runtime)."""
    value = now()
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            "l'horloge de l'application doit renvoyer une date-heure avec fuseau"
        )
    return value
