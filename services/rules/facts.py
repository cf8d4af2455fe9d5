"""Facts that cannot be true: the checks made before a licence or an infraction is recorded.

Each check returns every problem it finds, as (field path, French message), so that one
submission is told all of its errors at once (a QA finding: forms gave one per submit). The
caller raises them together (services/licences.py) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .explain import fr_date

Problem = tuple[str, str]

MAX_RETRAIT = 6  # R5: délit = half the maximum (R1: 12), contravention at most that
DELIT_POINTS = 6  # R5: "délit : 6 points (la moitié du maximum)"
SIMULTANEOUS_CAP = 8  # R5: simultaneous infractions cumulate within 8 points (two thirds of 12)
CONTRAVENTIONS = ("C1", "C2", "C3", "C4", "C5")


def _future(field: str, day: date | None, today: date, what: str) -> list[Problem]:
    if day is not None and day > today:
        return [(field, f"{what} ne peut être dans le futur (aujourd'hui : {fr_date(today)}).")]
    return []


def licence_problems(obtained_on: date, birth_date: date | None, today: date) -> list[Problem]:
    """A licence obtained after today (the application's clock), or before its holder was
    born (R2: the obtention date starts the capital and the probation)."""
    problems = _future("obtained_on", obtained_on, today, "La date d'obtention du permis")
    if birth_date is not None and birth_date >= obtained_on:
        problems.append(("holder.birth_date",
                         "La date de naissance doit précéder l'obtention du permis."))
    return problems


def infraction_date_problems(*, obtained_on: date, committed_on: date, decision_on: date,
                             established_on: date | None, paid_on: date | None,
                             today: date) -> list[Problem]:
    """The dates of an infraction: committed on a licence already obtained (a retrait is taken
    from a licence, R2, R8) and not after today; the retrait decided (R8) and the reality
    established (R7) on or after the commission; the fine paid after the infraction, not after
    today."""
    problems: list[Problem] = []
    if committed_on < obtained_on:
        problems.append(("committed_on",
                         f"L'infraction ne peut précéder l'obtention du permis "
                         f"({fr_date(obtained_on)}) : aucun point ne peut être retiré d'un "
                         "permis qui n'existait pas encore."))
    problems += _future("committed_on", committed_on, today, "La date de l'infraction")
    if decision_on < committed_on:
        problems.append(("decision_on", "La décision ne peut précéder l'infraction (R8)."))
    if established_on is not None and established_on < committed_on:
        problems.append(("established_on", "La date de réalité ne peut précéder l'infraction."))
    if paid_on is not None:
        if paid_on < committed_on:
            problems.append(("fine.paid_on",
                             f"L'amende ne peut avoir été payée avant l'infraction "
                             f"({fr_date(committed_on)})."))
        problems += _future("fine.paid_on", paid_on, today, "La date de paiement de l'amende")
    return problems


def retrait_amount_problems(offence_class: str, points: int, committed_on: date,
                            same_day_points: Sequence[int]) -> list[Problem]:
    """R5 (L223-2): what a retrait can be, given the offence class.

    - a contravention withdraws 1 to 6 points; a délit withdraws 6 (half the maximum of 12,
      R1; the maximum, not the probationary capital);
    - simultaneous infractions cumulate within 8 points. The data model knows only the
      commission DATE, so, as for R15/Q10, infractions committed the same day are read as
      simultaneous (docs/legal-decisions.md, LD12): a day's retraits may not exceed 8, and a
      délit may carry fewer than 6 points only when that cap reduced it (the day's retraits
      then total exactly 8).
    """
    problems: list[Problem] = []
    if points > MAX_RETRAIT:
        problems.append(("points", f"R5 : un retrait est d'au plus {MAX_RETRAIT} points par "
                                   "infraction (la moitié du maximum de 12)."))
        return problems
    others = sum(same_day_points)
    total = points + others
    if total > SIMULTANEOUS_CAP:
        problems.append(("points",
                         f"R5 : les infractions commises le même jour ({fr_date(committed_on)}) "
                         f"sont simultanées ; leurs retraits se cumulent dans la limite de "
                         f"{SIMULTANEOUS_CAP} points. Déjà {others} points ce jour-là : au plus "
                         f"{max(SIMULTANEOUS_CAP - others, 0)} pour celle-ci."))
    elif offence_class == "delit" and points != DELIT_POINTS and total != SIMULTANEOUS_CAP:
        problems.append(("points",
                         f"R5 : un délit retire {DELIT_POINTS} points (la moitié du maximum de "
                         f"12) ; moins seulement quand le plafond de {SIMULTANEOUS_CAP} points "
                         "des infractions simultanées le réduit (enregistrez d'abord les autres "
                         "infractions du même jour)."))
    return problems
