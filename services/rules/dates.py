"""Date arithmetic of DOMAIN.md §2 (D1–D12). Every function takes its dates as parameters."""

from __future__ import annotations

from datetime import date, timedelta

from .calendar import (
    add_jours_ouvrables,
    add_months,
    add_years,
    is_saturday,
    is_sunday,
    next_jour_ouvre,
    public_holiday_name,
)
from .config import DEFAULT_CONFIG, RulesConfig
from .explain import Explanation, Flag, fr_date

PROBATIONS = ("classic", "aac", "none")
RECEIPTS = ("signed", "unclaimed", "npai", "dematerialised")
RECOVERY_KINDS = {"6m": (6, "six mois"), "2y": (24, "deux ans"), "3y": (36, "trois ans"),
                  "10y": (120, "dix ans")}


# --- D1: 4-month deadline (R17, R19) ---------------------------------------------------------

def deadline_4_months_explained(
    receipt: date, cfg: RulesConfig = DEFAULT_CONFIG
) -> tuple[date, Explanation]:
    """D1/R17: receipt + 4 calendar months, same day number, clamped to the month end.

    The deadline day is included (the course's last day may fall on it). With
    ``cfg.extend_to_next_working_day`` (Q4) a deadline falling on a Saturday, Sunday or public
    holiday moves to the next working day (jour ouvré, CPC art. 642 logic: Saturday is extended).
    """
    deadline = add_months(receipt, 4)
    message = f"D1 : réception le {fr_date(receipt)} + 4 mois = échéance le {fr_date(deadline)}"
    if deadline.day != receipt.day:
        message += " (jour inexistant : dernier jour du mois)"
    if cfg.extend_to_next_working_day:
        extended = next_jour_ouvre(deadline)
        if extended != deadline:
            message += (f", reportée au premier jour ouvré suivant le {fr_date(extended)} "
                        "(CFG_EXTEND_TO_NEXT_WORKING_DAY)")
            deadline = extended
    return deadline, Explanation("D1", message)


def deadline_4_months(receipt: date, cfg: RulesConfig = DEFAULT_CONFIG) -> date:
    """D1: the 4-month deadline (included) for a 48N received on ``receipt``."""
    return deadline_4_months_explained(receipt, cfg)[0]


# --- D3 / R27: effect date ---------------------------------------------------------------------

def effect_date(last_day: date) -> date:
    """D3/R27: the credit takes effect the day after the last course day.

    R40: whatever the date the attestation was received or recorded (retroactive effect).
    """
    return last_day + timedelta(days=1)


def effect_date_explained(last_day: date) -> tuple[date, Explanation]:
    d = effect_date(last_day)
    return d, Explanation(
        "R27", f"R27 : dernier jour de stage le {fr_date(last_day)}, effet le {fr_date(d)}"
    )


# --- D4 / R39: prefect's crediting deadline ----------------------------------------------------

def credit_due_on(attestation_received_on: date) -> date:
    """D4/R39: one calendar month after the attestation's receipt (clamped), not 30 days."""
    return add_months(attestation_received_on, 1)


def credit_due_on_explained(attestation_received_on: date) -> tuple[date, Explanation]:
    d = credit_due_on(attestation_received_on)
    return d, Explanation(
        "R39",
        f"R39 : attestation reçue le {fr_date(attestation_received_on)}, "
        f"délai d'un mois (R223-8 III) jusqu'au {fr_date(d)}",
    )


# --- D5 / R38: centre's transmission deadline -------------------------------------------------

def centre_transmission_deadline(last_day: date) -> date:
    """D5/R38: last course day + 15 calendar days (no extension: internal duty)."""
    return last_day + timedelta(days=15)


# --- D6 / R46: refund request deadline --------------------------------------------------------

def refund_request_deadline(
    last_day: date, attestation_issued_on: date | None = None, cfg: RulesConfig = DEFAULT_CONFIG
) -> tuple[date, Explanation]:
    """D6/R46: deadline for the driver's refund request.

    Course ending on/after ``cfg.r223_8_iv_version_date`` (new R223-8 IV): 15 jours ouvrables
    after max(last day, attestation issue date). Earlier course (former text): 15 calendar days
    after the last day.
    """
    if last_day >= cfg.r223_8_iv_version_date:
        start = max(last_day, attestation_issued_on or last_day)
        deadline = add_jours_ouvrables(start, 15)
        basis = (f"fin du stage le {fr_date(last_day)}" if start == last_day
                 else f"attestation délivrée le {fr_date(start)}")
        return deadline, Explanation(
            "R46",
            f"R46 : {basis} + 15 jours ouvrables (R223-8 IV en vigueur pour les stages finissant "
            f"à partir du {fr_date(cfg.r223_8_iv_version_date)}) = {fr_date(deadline)}",
        )
    deadline = last_day + timedelta(days=15)
    return deadline, Explanation(
        "R46",
        f"R46 : fin du stage le {fr_date(last_day)} + 15 jours (ancien R223-8 IV, stage fini "
        f"avant le {fr_date(cfg.r223_8_iv_version_date)}) = {fr_date(deadline)}",
    )


def refund_complement_deadline(requested_on: date) -> date:
    """D6/R46: 30 jours ouvrables to complete the file after the comptable's request."""
    return add_jours_ouvrables(requested_on, 30)


# --- D7 / R2 / R3: probation ------------------------------------------------------------------

def _check_probation(probation: str) -> None:
    if probation not in PROBATIONS:
        raise ValueError(f"type de permis probatoire inconnu : {probation!r}")


def probation_end(
    obtained_on: date, probation: str, formation_complementaire: bool = False
) -> date | None:
    """D7/R2/R3: first day outside probation; None for a non-probationary licence.

    classic +3 years, AAC +2 years, classic + formation complémentaire +2 years,
    AAC + formation complémentaire +18 months.
    """
    _check_probation(probation)
    if probation == "none":
        return None
    if probation == "classic":
        return add_years(obtained_on, 2 if formation_complementaire else 3)
    return add_months(obtained_on, 18) if formation_complementaire else add_years(obtained_on, 2)


def probation_anniversaries(
    obtained_on: date, probation: str, formation_complementaire: bool = False
) -> list[tuple[date, int]]:
    """R3/D7: (date, increment) of each probation increment; the last one reaches 12.

    classic: +2 at 1, 2, 3 years (6 → 8 → 10 → 12); AAC: +3 at 1, 2 years (6 → 9 → 12);
    classic + FC: +2 at 1 year, +4 (up to 12) at 2 years; AAC + FC: +3 at 1 year, +3 (up to 12)
    at 18 months.
    """
    _check_probation(probation)
    if probation == "none":
        return []
    step = 2 if probation == "classic" else 3
    end = probation_end(obtained_on, probation, formation_complementaire)
    assert end is not None
    dates = [add_years(obtained_on, n) for n in range(1, 4)]
    dates = [d for d in dates if d < end] + [end]
    result: list[tuple[date, int]] = []
    total = 6
    for d in dates[:-1]:
        result.append((d, step))
        total += step
    result.append((dates[-1], 12 - total))
    return result


def in_probation(
    obtained_on: date, probation: str, formation_complementaire: bool, on: date
) -> bool:
    """D7: ``on`` is within probation iff obtained_on ≤ on < end."""
    end = probation_end(obtained_on, probation, formation_complementaire)
    return end is not None and obtained_on <= on < end


# --- D8: automatic recovery windows (R51–R53) -------------------------------------------------

def recovery_window_end(realite_on: date, kind: str) -> date:
    """D8: last day (included) of the recovery window (réalité, réalité + 6 m / 2 y / 3 y / 10 y].

    ``kind`` is one of ``"6m"`` (R52), ``"2y"``, ``"3y"`` (R51), ``"10y"`` (R53). The restoration
    takes effect the day after (:func:`restoration_date`).
    """
    if kind not in RECOVERY_KINDS:
        raise ValueError(f"délai de récupération inconnu : {kind!r}")
    return add_months(realite_on, RECOVERY_KINDS[kind][0])


def restoration_date(realite_on: date, kind: str) -> date:
    """D8: the restoration is effective the day after the window end."""
    return recovery_window_end(realite_on, kind) + timedelta(days=1)


# --- D10 --------------------------------------------------------------------------------------

def one_year_after(d: date) -> date:
    """D10: "one year" is calendar addition, never 365 days nor 11 months + 30 days."""
    return add_years(d, 1)


# --- D2 / R25: one point-earning course per year ----------------------------------------------

def next_course_allowed_on(previous_day1: date, cfg: RulesConfig = DEFAULT_CONFIG) -> date:
    """D2/R25: first day on which a new course may start and still earn points.

    SAME_DATE (default): previous first day + 1 calendar year (29/02 → 28/02);
    PLUS_ONE_DAY: one more day.
    """
    allowed = add_years(previous_day1, 1)
    if cfg.one_year_rule == "PLUS_ONE_DAY":
        allowed += timedelta(days=1)
    return allowed


# --- D11 / R17: notification of the 48N -------------------------------------------------------

def notification_date(
    receipt: str, received_on: date | None, cfg: RulesConfig = DEFAULT_CONFIG
) -> tuple[date | None, tuple[Flag, ...]]:
    """D11/R17: the date the 48N counts as received (start of the 4-month deadline).

    ``signed`` → AR signature date; ``unclaimed`` → first presentation date when
    ``cfg.unclaimed_ar_is_notified`` (flag R17), else not notified (flag R17, review);
    ``npai`` → not notified, the deadline does not run (flag R17 with review: a course on an NPAI
    case opens examen_manuel); ``dematerialised`` → the given date (first consultation, or upload
    + 15 days, see :func:`dematerialised_notification_date`).
    """
    if receipt not in RECEIPTS:
        raise ValueError(f"mode de réception inconnu : {receipt!r}")
    if receipt == "npai":
        return None, (Flag("R17", "R17 : lettre 48N revenue « NPAI » (jamais présentée) : non "
                              "notifiée, le délai de quatre mois ne court pas", review=True),)
    if received_on is None:
        raise ValueError(f"date de réception requise pour le mode {receipt!r}")
    if receipt == "unclaimed":
        if cfg.unclaimed_ar_is_notified:
            return received_on, (Flag(
                "R17", f"R17 : lettre 48N « avisé non réclamé » réputée reçue à la première "
                       f"présentation le {fr_date(received_on)} (règle incertaine, "
                       "CFG_UNCLAIMED_AR_IS_NOTIFIED=true)"),)
        return None, (Flag("R17", "R17 : lettre 48N « avisé non réclamé » non réputée reçue "
                                  "(CFG_UNCLAIMED_AR_IS_NOTIFIED=false) : le délai ne court pas",
                           review=True),)
    return received_on, ()


def dematerialised_notification_date(
    uploaded_on: date, first_consulted_on: date | None = None
) -> date:
    """D11/R9 (R223-3-1): first consultation of the online account, or upload + 15 days."""
    fallback = uploaded_on + timedelta(days=15)
    if first_consulted_on is not None and first_consulted_on < fallback:
        return first_consulted_on
    return fallback


# --- D12 / R31: course days --------------------------------------------------------------------

def course_days_problems(day1: date, day2: date) -> list[Explanation]:
    """D12/R31: two consecutive days, neither a Sunday nor a public holiday. Empty = valid."""
    problems: list[Explanation] = []
    if day2 != day1 + timedelta(days=1):
        problems.append(Explanation(
            "D12", f"D12 : les deux journées doivent être consécutives ({fr_date(day1)} puis "
                   f"{fr_date(day2)})", {"day1": day1, "day2": day2}))
    for label, d in (("premier", day1), ("second", day2)):
        if is_sunday(d):
            problems.append(Explanation(
                "R31", f"R31 : le {label} jour du stage ({fr_date(d)}) est un dimanche",
                {"which": label, "day": d, "holiday": None}))
        name = public_holiday_name(d)
        if name is not None:
            problems.append(Explanation(
                "R31", f"R31 : le {label} jour du stage ({fr_date(d)}) est un jour férié "
                       f"({name})", {"which": label, "day": d, "holiday": name}))
    return problems


def deadline_flags(receipt: date | None, cfg: RulesConfig = DEFAULT_CONFIG) -> tuple[Flag, ...]:
    """D1/Q4: a 4-month deadline that falls on a Saturday, Sunday or public holiday is not
    extended by default (CFG_EXTEND_TO_NEXT_WORKING_DAY=false): an UNCERTAIN default, flagged."""
    if receipt is None or cfg.extend_to_next_working_day:
        return ()
    deadline = add_months(receipt, 4)
    if next_jour_ouvre(deadline) == deadline:
        return ()
    day = ("un samedi" if is_saturday(deadline) else "un dimanche" if is_sunday(deadline)
           else "un jour férié")
    return (Flag("D1", f"D1 : l'échéance du {fr_date(deadline)} tombe {day} et n'est pas "
                       "reportée au premier jour ouvré (règle incertaine Q4, "
                       "CFG_EXTEND_TO_NEXT_WORKING_DAY=false)"),)
