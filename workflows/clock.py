"""Clock adapter: SpiffWorkflow's timers read the application clock.

SpiffWorkflow has no clock parameter: ``TimerEventDefinition`` calls ``datetime.now(timezone.utc)``
on the ``datetime`` name imported into its module. We replace that name, once, by a subclass whose
``now()`` reads a context variable that :func:`engine_clock` sets around every engine operation
(so it is thread- and task-safe). Outside such a block the real time is used.

Spiff decides that a timer fired when ``due < now`` (strictly). The law wants the timer to fire
AT its instant (the start of the Paris day after the deadline), so the adapter reports
``now + 1 µs``: a timer due at ``t`` fires when the application clock reads ``t``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import threading
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


def install() -> None:
    """Patch SpiffWorkflow's timer module once (idempotent)."""
    with _install_lock:
        if _spiff_timer.datetime is not EngineDateTime:
            _spiff_timer.datetime = EngineDateTime


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
