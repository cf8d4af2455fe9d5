"""Calendar helpers: month/year arithmetic, French public holidays, jours ouvrables, Paris days.

Legal dates are calendar dates (``datetime.date``) in Europe/Paris. Only
:func:`start_of_next_paris_day` turns a date into an instant, and :func:`paris_day` the reverse.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

PARIS = ZoneInfo("Europe/Paris")

# The 11 metropolitan public holidays of DOMAIN.md §2 (no Good Friday / 26 December, which are
# Alsace-Moselle only). French names keyed by the `holidays` library's French labels.
_FRENCH_NAMES = {
    "Jour de l'an": "jour de l'An",
    "Lundi de Pâques": "lundi de Pâques",
    "Fête du Travail": "fête du Travail",
    "Fête de la Victoire": "fête de la Victoire (8 mai)",
    "Ascension": "Ascension",
    "Lundi de Pentecôte": "lundi de Pentecôte",
    "Fête nationale": "fête nationale (14 juillet)",
    "Assomption": "Assomption",
    "Toussaint": "Toussaint",
    "Armistice": "Armistice (11 novembre)",
    "Noël": "Noël",
}


def add_months(d: date, n: int) -> date:
    """D1/D4: same day number ``n`` months later, clamped to the month end (31/10 + 4 → 28/02)."""
    return d + relativedelta(months=n)


def add_years(d: date, n: int) -> date:
    """D2/D7/D10: calendar years; 29/02 + 1 year → 28/02 (Q16)."""
    return d + relativedelta(years=n)


@cache
def _holidays_of_year(year: int) -> dict[date, str]:
    """Metropolitan French public holidays of one year (cached per year)."""
    found = holidays.country_holidays("FR", years=year, language="fr")
    result: dict[date, str] = {}
    for d, label in found.items():
        # Two holidays may share a day (1 May 2008: Ascension and fête du Travail).
        names = [_FRENCH_NAMES[n] for n in label.split("; ") if n in _FRENCH_NAMES]
        if names:
            result[d] = " et ".join(names)
    return result


def public_holiday_name(d: date) -> str | None:
    """French name of the public holiday on ``d`` (DOMAIN.md §2), or None."""
    return _holidays_of_year(d.year).get(d)


def is_public_holiday(d: date) -> bool:
    """True on the 11 metropolitan public holidays of DOMAIN.md §2."""
    return public_holiday_name(d) is not None


def is_sunday(d: date) -> bool:
    return d.weekday() == 6


def is_saturday(d: date) -> bool:
    return d.weekday() == 5


def is_jour_ouvrable(d: date) -> bool:
    """D6: every day except Sundays and public holidays (Saturdays count)."""
    return not is_sunday(d) and not is_public_holiday(d)


def is_jour_ouvre(d: date) -> bool:
    """Working day in the CPC art. 642 sense: not a Saturday, Sunday or public holiday (D1/Q4)."""
    return not is_saturday(d) and is_jour_ouvrable(d)


def add_jours_ouvrables(d: date, n: int) -> date:
    """D6: the ``n``-th jour ouvrable strictly after ``d`` (``n`` ≥ 0; 0 → ``d``)."""
    if n < 0:
        raise ValueError("n doit être positif ou nul")
    current = d
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if is_jour_ouvrable(current):
            remaining -= 1
    return current


def next_jour_ouvre(d: date) -> date:
    """``d`` itself if it is a working day, else the first following working day (D1/Q4)."""
    current = d
    while not is_jour_ouvre(current):
        current += timedelta(days=1)
    return current


def start_of_next_paris_day(d: date) -> datetime:
    """The instant at which a timer for a legal deadline ``d`` fires: 00:00 Europe/Paris of d + 1.

    API.md: a timer whose legal deadline is D fires at the start of the Paris day after D,
    never on D itself.
    """
    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=PARIS)


def paris_day(instant: datetime) -> date:
    """The Europe/Paris calendar day of an aware instant (never compare an instant to a date)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant sans fuseau horaire : impossible de déterminer le jour à Paris")
    return instant.astimezone(PARIS).date()
