"""The clock adapter: timers read the engine's clock, per thread / context."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer

from workflows import clock

from .conftest import UTC, Harness


def test_patch_installed_and_falls_back_to_real_time():
    clock.install()
    assert spiff_timer.datetime is clock.EngineDateTime
    real = dt.datetime.now(UTC)
    assert abs(spiff_timer.datetime.now(UTC) - real) < dt.timedelta(seconds=5)


def test_engine_clock_is_scoped_and_inclusive():
    at = dt.datetime(2026, 7, 10, 22, tzinfo=UTC)
    with clock.engine_clock(lambda: at):
        seen = spiff_timer.datetime.now(dt.UTC)
    assert seen == at + clock.TIMER_EPSILON  # a timer due at `at` fires at `at`
    assert abs(spiff_timer.datetime.now(UTC) - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)


def test_naive_clock_rejected():
    with clock.engine_clock(lambda: dt.datetime(2026, 1, 1)):
        with pytest.raises(clock.NaiveDatetimeError):
            spiff_timer.datetime.now(dt.UTC)


def test_threads_each_read_their_own_clock():
    results: dict[str, int] = {}
    due = dt.datetime(2026, 7, 10, 22, tzinfo=UTC)

    def case(name: str, at: dt.datetime):
        h = Harness("stage_obligatoire")
        h.facts["conformite"] = "non_conforme"
        h.start()
        total = 0
        for _ in range(5):
            total += h.tick(at)
        results[name] = total

    threads = [
        threading.Thread(target=case, args=("avant", due - dt.timedelta(seconds=1))),
        threading.Thread(target=case, args=("apres", due)),
        threading.Thread(target=case, args=("avant2", due - dt.timedelta(days=30))),
        threading.Thread(target=case, args=("apres2", due + dt.timedelta(days=30))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"avant": 0, "apres": 1, "avant2": 0, "apres2": 1}
