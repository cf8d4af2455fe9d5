"""Dates shown to people: day, month and a four-digit year, whatever the year (strftime's %Y
wrote year 1 as « 1 » on Linux, so a mistyped year showed as « 01/01/1 »)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.rules.explain import fr_date
from web.labels import fdate, fdatetime


@pytest.mark.parametrize(("day", "shown"), [
    (dt.date(2026, 3, 10), "10/03/2026"), (dt.date(1, 1, 1), "01/01/0001"),
    (dt.date(999, 12, 31), "31/12/0999"), (dt.date(9999, 12, 31), "31/12/9999"),
])
def test_a_date_has_its_four_digit_year(day, shown):
    assert fdate(day) == fr_date(day) == shown
    assert fdate(day.isoformat()) == shown


def test_an_instant_is_shown_in_paris_time():
    assert fdatetime(dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)) == "02/07/2026 00:30"
    assert fdatetime(dt.datetime(2026, 1, 1, 22, 30, tzinfo=dt.UTC)) == "01/01/2026 23:30"
    assert fdate(None) == fr_date(None) == fdatetime(None) == "—"


@given(st.dates())
def test_the_date_shown_reads_back_as_the_same_date(day):
    d, m, y = fdate(day).split("/")
    assert dt.date(int(y), int(m), int(d)) == day and len(y) == 4
