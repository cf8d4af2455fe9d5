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


# ---- duration timers (a QA finding: a reminder was due 1 µs after Paris midnight, in UTC) ----

PARIS = __import__("zoneinfo").ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("duration", "start", "due"), [
    # a day starts at local midnight (D1, D3): exact, in the clock's zone, no microsecond
    ("P7D", dt.datetime(2027, 1, 19, tzinfo=PARIS), "2027-01-26T00:00:00+01:00"),
    ("P14D", dt.datetime(2027, 1, 12, tzinfo=PARIS), "2027-01-26T00:00:00+01:00"),
    ("P1W", dt.datetime(2027, 1, 19, tzinfo=PARIS), "2027-01-26T00:00:00+01:00"),
    # across the change to summer time: still midnight, a day of 23 hours counted as a day
    ("P7D", dt.datetime(2027, 3, 25, tzinfo=PARIS), "2027-04-01T00:00:00+02:00"),
    # calendar months clamped to the month's last day (D4, D10), not 31 days
    ("P1M", dt.datetime(2026, 1, 31, tzinfo=PARIS), "2026-02-28T00:00:00+01:00"),
    ("P1Y", dt.datetime(2024, 2, 29, tzinfo=PARIS), "2025-02-28T00:00:00+01:00"),
    # a time part is elapsed time
    ("PT36H", dt.datetime(2027, 3, 27, 12, tzinfo=PARIS), "2027-03-29T01:00:00+02:00"),
    ("P1DT2H", dt.datetime(2027, 1, 19, 8, tzinfo=PARIS), "2027-01-20T10:00:00+01:00"),
])
def test_a_duration_timer_is_due_exactly_on_the_calendar_of_the_clocks_zone(duration, start,
                                                                            due):
    parsed = spiff_timer.TimerEventDefinition.parse_iso_duration(duration)
    assert clock.duration_due(parsed, start).isoformat() == due


def test_a_reminder_fires_at_the_instant_it_is_due_not_a_microsecond_later():
    h = Harness("stage_obligatoire")
    h.facts["conformite"] = "non_conforme"
    start = dt.datetime(2026, 7, 11, tzinfo=PARIS)  # the day after the deadline (D1, R21)
    h.start()
    h.tick(start)
    assert h.open_keys() == ["signalement_parquet"]
    [reminder] = [t for t in h.view().waiting_timers() if t.name == "relance_signalement"]
    assert reminder.due_at.isoformat() == "2026-07-18T00:00:00+02:00"
    assert h.tick(reminder.due_at - dt.timedelta(microseconds=1)) == 0
    assert h.tick(reminder.due_at) == 1
