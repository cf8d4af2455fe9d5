"""Explanations, flags and decisions: every result of the rules carries its reasons.

Messages are in French (they are shown to clerks and drivers); identifiers stay in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


def fr_date(d: date | None) -> str:
    """Format a calendar date the French way (``10/07/2026``); ``—`` for None."""
    # the year on four digits (strftime's %Y writes year 1 as « 1 » on Linux)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}" if d is not None else "—"


def fr_points(n: int) -> str:
    """``1 point``, ``0 point``, ``-1 point``, ``3 points``: French takes the plural from 2."""
    return f"{n} point" if abs(n) <= 1 else f"{n} points"


@dataclass(frozen=True)
class Explanation:
    """One applied rule and the numbers it used, e.g. ``R26 : min(4, 12 − 10) = 2 points``."""

    rule: str
    message: str
    # the dates and figures the rule used, by name, for another wording of the same result than
    # the clerks' `message` (a driver's letter: services/letters/wording.py); neither compared
    # nor shown by the API
    facts: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Flag:
    """An UNCERTAIN rule applied by default, or a situation a person should see.

    ``review=True`` means a person must look at it (the ``examen_manuel`` task of API.md).
    """

    rule: str
    message: str
    review: bool = False

    def to_dict(self) -> dict[str, str]:
        """The API.md shape of a flag: ``{"rule": "R32", "message": "…"}``."""
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Decision:
    """A yes/no answer of the rules with its explanations and flags."""

    ok: bool
    explanations: tuple[Explanation, ...] = ()
    flags: tuple[Flag, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """Rule ids of the explanations, in order (duplicates removed)."""
        seen: list[str] = []
        for e in self.explanations:
            if e.rule not in seen:
                seen.append(e.rule)
        return tuple(seen)

    @property
    def text(self) -> str:
        """The French sentences of the explanations, joined."""
        return " ; ".join(e.message for e in self.explanations)

    @property
    def needs_review(self) -> bool:
        """True when one of the flags asks a person to look (examen_manuel)."""
        return any(f.review for f in self.flags)

    def __bool__(self) -> bool:
        return self.ok
