"""Calendar helpers: month/year clamps, French public holidays, jours ouvrables, Paris days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.rules.calendar import (
    _holidays_of_year,
    add_jours_ouvrables,
    add_months,
    add_years,
    is_jour_ouvrable,
    is_jour_ouvre,
    is_public_holiday,
    is_sunday,
    next_jour_ouvre,
    paris_day,
    public_holiday_name,
    start_of_next_paris_day,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
PARIS = ZoneInfo("Europe/Paris")


def test_D6_holidays_are_the_11_metropolitan_days_2026():
    assert sorted(_holidays_of_year(2026)) == [
        date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8),
        date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 14), date(2026, 8, 15),
        date(2026, 11, 1), date(2026, 11, 11), date(2026, 12, 25),
    ]


@pytest.mark.parametrize("year", range(2020, 2041))
def test_D6_D12_eleven_holidays_every_year_no_good_friday_no_26_december(year):
    days = _holidays_of_year(year)
    # 11 days, except when Ascension falls on 1 May or 8 May (two holidays on one day)
    assert len(days) in (10, 11)
    assert date(year, 12, 26) not in days
    easter_monday = next(d for d, n in days.items() if "Pâques" in n)
    assert easter_monday.weekday() == 0
    assert easter_monday - timedelta(days=3) not in days  # Good Friday
    names = " ".join(days.values())
    for word in ("Ascension", "Pentecôte", "Noël", "Toussaint", "Armistice", "Assomption"):
        assert word in names


def test_D12_easter_based_holidays_several_years():
    assert public_holiday_name(date(2027, 5, 17)) == "lundi de Pentecôte"
    assert public_holiday_name(date(2030, 5, 30)) == "Ascension"
    assert public_holiday_name(date(2026, 4, 6)) == "lundi de Pâques"
    assert public_holiday_name(date(2028, 4, 17)) == "lundi de Pâques"
    assert not is_public_holiday(date(2026, 4, 3))  # Good Friday (Alsace-Moselle only)
    assert not is_public_holiday(date(2026, 12, 26))


def test_D6_jours_ouvrables_include_saturdays_exclude_sundays_and_holidays():
    assert is_jour_ouvrable(date(2026, 6, 6))  # Saturday
    assert not is_jour_ouvrable(date(2026, 6, 7))  # Sunday
    assert is_sunday(date(2026, 6, 7))
    assert not is_jour_ouvrable(date(2026, 5, 14))  # Ascension
    assert not is_jour_ouvre(date(2026, 6, 6))
    assert next_jour_ouvre(date(2026, 7, 11)) == date(2026, 7, 13)  # Sat → Mon
    assert next_jour_ouvre(date(2026, 7, 13)) == date(2026, 7, 13)
    assert next_jour_ouvre(date(2026, 7, 14)) == date(2026, 7, 15)


def test_D6_add_jours_ouvrables_examples():
    assert add_jours_ouvrables(date(2026, 6, 6), 15) == date(2026, 6, 24)
    assert add_jours_ouvrables(date(2026, 2, 28), 15) == date(2026, 3, 18)
    assert add_jours_ouvrables(date(2026, 5, 13), 15) == date(2026, 6, 2)
    assert add_jours_ouvrables(date(2026, 5, 13), 0) == date(2026, 5, 13)
    with pytest.raises(ValueError):
        add_jours_ouvrables(date(2026, 5, 13), -1)


@settings(deadline=None)
@given(dates, st.integers(min_value=1, max_value=40))
def test_D6_property_jours_ouvrables_never_land_on_sunday_or_holiday(d, n):
    result = add_jours_ouvrables(d, n)
    assert result > d
    assert not is_sunday(result) and not is_public_holiday(result)
    count = sum(is_jour_ouvrable(d + timedelta(days=k)) for k in range(1, (result - d).days + 1))
    assert count == n


def test_D1_D4_add_months_clamps_to_month_end():
    assert add_months(date(2025, 10, 31), 4) == date(2026, 2, 28)
    assert add_months(date(2027, 10, 31), 4) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 10), 4) == date(2026, 7, 10)


def test_D2_D7_Q16_add_years_29_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2025, 9, 2), 1) == date(2026, 9, 2)


@settings(deadline=None)
@given(dates, st.integers(min_value=0, max_value=150))
def test_D1_property_add_months_same_day_or_month_end(d, n):
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    if r.day != d.day:
        assert r.day < d.day
        assert (r + timedelta(days=1)).day == 1  # clamped to the last day of the month


@settings(deadline=None)
@given(dates, st.integers(min_value=0, max_value=20))
def test_D10_property_add_years_same_date_or_28_february(d, n):
    r = add_years(d, n)
    assert r.year == d.year + n
    if (d.month, d.day) == (2, 29) and r.day != 29:
        assert (r.month, r.day) == (2, 28)
    else:
        assert (r.month, r.day) == (d.month, d.day)


def test_D1_timer_fires_at_start_of_next_paris_day():
    fired = start_of_next_paris_day(date(2026, 7, 10))
    assert fired == datetime(2026, 7, 11, 0, 0, tzinfo=PARIS)
    assert fired.isoformat() == "2026-07-11T00:00:00+02:00"
    assert start_of_next_paris_day(date(2026, 2, 28)).isoformat() == "2026-03-01T00:00:00+01:00"
    assert paris_day(fired) == date(2026, 7, 11)
    assert paris_day(fired - timedelta(microseconds=1)) == date(2026, 7, 10)


def test_D1_paris_day_converts_utc_instants():
    # 22:30 UTC on 10 July is already 11 July in Paris (UTC+2)
    assert paris_day(datetime(2026, 7, 10, 22, 30, tzinfo=UTC)) == date(2026, 7, 11)
    assert paris_day(datetime(2026, 1, 10, 22, 30, tzinfo=UTC)) == date(2026, 1, 10)
    with pytest.raises(ValueError):
        paris_day(datetime(2026, 7, 10, 12, 0))
