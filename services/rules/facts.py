"""Facts that cannot be true: the checks made before a licence or an infraction is recorded.

Each check returns every problem it finds, as (field path, French message), so that one
submission is told all of its errors at once (a QA finding: forms gave one per submit). The
caller raises them together (services/licences.py) and nothing is written.

A date or an amount given as None is one the check cannot judge (an optional field left empty,
or a field a form refused for its own error: services/licences.py `licence_problems`): the
checks that need it are skipped, the others are made, so that a clerk's form tells its field
errors and its cross-field problems in one answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from .calendar import add_years
from .conformity import receipt_problems
from .explain import fr_date
from .ledger import MAX_POINTS, LicenceFacts, replay

Problem = tuple[str, str]

MAX_RETRAIT = 6  # R5: délit = half the maximum (R1: 12), contravention at most that
DELIT_POINTS = 6  # R5: "délit : 6 points (la moitié du maximum)"
SIMULTANEOUS_CAP = 8  # R5: simultaneous infractions cumulate within 8 points (two thirds of 12)
CONTRAVENTIONS = ("C1", "C2", "C3", "C4", "C5")
# LD15: the youngest age at which a French licence of any category is issued (AM, 14 years);
# the application does not know the category, so only a younger holder is impossible
MIN_HOLDER_AGE = 14
# LD15: the highest fine a contravention of each class can carry (code pénal art. 131-13; C5
# doubled for a repeat offence, 3 000 €); a délit's fine has no bound the application knows
CONTRAVENTION_MAX_FINE = {"C1": 38, "C2": 150, "C3": 450, "C4": 750, "C5": 3000}


def _future(field: str, day: date | None, today: date, what: str) -> list[Problem]:
    if day is not None and day > today:
        return [(field, f"{what} ne peut être dans le futur (aujourd'hui : {fr_date(today)}).")]
    return []


def licence_problems(obtained_on: date | None, birth_date: date | None,
                     today: date) -> list[Problem]:
    """A licence obtained after today (the application's clock), before its holder was born
    (R2: the obtention date starts the capital and the probation), or before the holder was
    MIN_HOLDER_AGE (docs/legal-decisions.md, LD15)."""
    if obtained_on is None:
        return []
    problems = _future("obtained_on", obtained_on, today, "La date d'obtention du permis")
    if birth_date is not None and birth_date >= obtained_on:
        problems.append(("holder.birth_date",
                         "La date de naissance doit précéder l'obtention du permis."))
    elif birth_date is not None and add_years(birth_date, MIN_HOLDER_AGE) > obtained_on:
        problems.append(("holder.birth_date",
                         f"Le titulaire aurait eu moins de {MIN_HOLDER_AGE} ans à l'obtention "
                         f"du permis ({fr_date(obtained_on)}) : aucune catégorie de permis "
                         f"n'est délivrée avant {MIN_HOLDER_AGE} ans."))
    return problems


def imported_balance_problems(points: int | None, on: date | None, today: date,
                              licence: LicenceFacts | None,
                              negative_balance: bool = True) -> list[Problem]:
    """An imported FNPC balance (API.md `balance`): known on a day the licence existed and not
    after today; never above what the licence could carry that day without any retrait (its
    cap: 12, or during probation 6 plus the increments due by then, R1–R4), since no movement
    raises a balance above its cap (R4, R26); below 0 only where balances may be negative
    (Q5, CFG_NEGATIVE_BALANCE). LD15. `licence` None: its obtention or probation is unknown."""
    problems: list[Problem] = []
    known = on is not None and licence is not None
    if known and on < licence.obtained_on:
        problems.append(("balance.on", "Le solde importé ne peut précéder l'obtention du permis."))
    problems += _future("balance.on", on, today, "La date du solde importé")
    ceiling = replay(licence).cap_on(on) if known and on >= licence.obtained_on else MAX_POINTS
    if known and points is not None and on >= licence.obtained_on and points > ceiling:
        problems.append(("balance.points",
                         f"R4 : le {fr_date(on)}, ce permis ne peut porter plus de {ceiling} "
                         f"points (son plafond ce jour-là) ; un solde de {points} est "
                         "impossible."))
    if points is not None and points < 0 and not negative_balance:
        problems.append(("balance.points",
                         "Q5 : un solde négatif n'existe pas avec le réglage "
                         "CFG_NEGATIVE_BALANCE=false ; le solde le plus bas est 0."))
    return problems


def infraction_date_problems(*, obtained_on: date, committed_on: date | None,
                             decision_on: date | None, established_on: date | None,
                             paid_on: date | None, today: date) -> list[Problem]:
    """The dates of an infraction: committed on a licence already obtained (a retrait is taken
    from a licence, R2, R8) and not after today; the reality established (R7) on or after the
    commission, and the retrait decided (R8) on or after both, none of them after today (R8's
    four dates come in that order: commission, réalité, décision; LD14); the fine paid after
    the infraction, not after today."""
    problems: list[Problem] = []
    if committed_on is not None and committed_on < obtained_on:
        problems.append(("committed_on",
                         f"L'infraction ne peut précéder l'obtention du permis "
                         f"({fr_date(obtained_on)}) : aucun point ne peut être retiré d'un "
                         "permis qui n'existait pas encore."))
    problems += _future("committed_on", committed_on, today, "La date de l'infraction")
    if decision_on is not None and committed_on is not None and decision_on < committed_on:
        problems.append(("decision_on", "La décision ne peut précéder l'infraction (R8)."))
    elif decision_on is not None and established_on is not None and \
            (committed_on is None or committed_on <= established_on) and \
            decision_on < established_on:
        problems.append(("decision_on",
                         f"R7/R8 : le retrait est décidé une fois la réalité de l'infraction "
                         f"établie ({fr_date(established_on)}) ; la décision ne peut la "
                         "précéder."))
    problems += _future("decision_on", decision_on, today, "La date de décision du retrait")
    if established_on is not None and committed_on is not None and established_on < committed_on:
        problems.append(("established_on", "La date de réalité ne peut précéder l'infraction."))
    problems += _future("established_on", established_on, today,
                        "La date de réalité de l'infraction")
    if paid_on is not None:
        if committed_on is not None and paid_on < committed_on:
            problems.append(("fine.paid_on",
                             f"L'amende ne peut avoir été payée avant l'infraction "
                             f"({fr_date(committed_on)})."))
        problems += _future("fine.paid_on", paid_on, today, "La date de paiement de l'amende")
    return problems


def retrait_amount_problems(offence_class: str | None, points: int, committed_on: date,
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


def fine_amount_problems(amount: Decimal | None, offence_class: str | None) -> list[Problem]:
    """A fine is a positive sum, and a contravention's no more than its class's maximum
    (code pénal art. 131-13, LD15); R49 refunds the amount actually paid. No class (None): the
    maximum is not checked."""
    if amount is None:
        return []
    if amount <= 0:
        return [("fine.amount", "Le montant d'une amende est positif (supérieur à 0 €).")]
    ceiling = CONTRAVENTION_MAX_FINE.get(offence_class)
    if ceiling is not None and amount > ceiling:
        return [("fine.amount",
                 f"Une contravention de {offence_class[1]}e classe est punie d'une amende d'au "
                 f"plus {ceiling} € ; {_euros(amount)} est impossible (vérifiez le montant ou la "
                 "classe).")]
    return []


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",") + " €"


def letter_problems(*, receipt: str | None, sent_on: date | None, received_on: date | None,
                    decision_on: date, today: date) -> list[Problem]:
    """Everything wrong with a 48N as typed, every problem at once, keyed under `letter_48n.`:
    its receipt (D11, conformity.receipt_problems); sent or received after today; sent before
    the retrait it notifies was decided (R10)."""
    problems = [(f"letter_48n.{field}", message)
                for field, message in receipt_problems(receipt, sent_on, received_on)]
    if sent_on is not None and sent_on < decision_on:
        problems.append(("letter_48n.sent_on",
                         f"R10 : la lettre 48N notifie le retrait décidé le "
                         f"{fr_date(decision_on)} ; elle ne peut pas avoir été envoyée avant."))
    for name, day in (("sent_on", sent_on), ("received_on", received_on)):
        problems += _future(f"letter_48n.{name}", day, today, "La date")
    return problems


def invalidation_problems(decision_on: date | None, notified_on: date | None, obtained_on: date,
                          today: date) -> list[Problem]:
    """A 48SI (R6): decided on a licence already obtained, notified on or after its decision,
    neither after today."""
    problems: list[Problem] = []
    if decision_on is not None and decision_on < obtained_on:
        problems.append(("decision_on",
                         f"La décision 48SI ne peut précéder l'obtention du permis "
                         f"({fr_date(obtained_on)})."))
    problems += _future("decision_on", decision_on, today, "La date de la décision 48SI")
    if notified_on is not None:
        if decision_on is not None and notified_on < decision_on:
            problems.append(("notified_on", "La notification ne peut précéder la décision (R6)."))
        problems += _future("notified_on", notified_on, today, "La date de notification")
    return problems


def attestation_receipt_problems(received_on: date, issued_on: date,
                                 today: date) -> list[Problem]:
    """R38: the prefecture receives the centre's copy of an attestation issued on the course's
    last day (R34), so not before, and not after today."""
    problems: list[Problem] = []
    if received_on < issued_on:
        problems.append(("received_on",
                         f"La réception ne peut précéder la délivrance de l'attestation "
                         f"({fr_date(issued_on)}, fin du stage)."))
    if received_on > today:
        problems.append(("received_on", "La date de réception ne peut être dans le futur."))
    return problems


def cancellation_problems(on: date, day2: date, today: date, day1: date | None = None,
                          recorded_on: date | None = None) -> list[Problem]:
    """R36: a session is cancelled at the latest on its second day, and a cancellation is
    recorded once it happened: `on` is not after today (LD15). A session recorded before its
    first day (`recorded_on`, the Paris day it was recorded) was announced then: it cannot
    have been cancelled earlier (LD15). One recorded after the fact (the prefecture catching up
    on a course already due) may have been cancelled before it was recorded."""
    problems: list[Problem] = []
    if on > day2:
        problems.append(("on", f"Une session s'annule au plus tard son second jour "
                               f"({fr_date(day2)}) (R36)."))
    if recorded_on is not None and day1 is not None and recorded_on <= day1 and on < recorded_on:
        problems.append(("on", f"La session n'a été enregistrée que le {fr_date(recorded_on)} : "
                               f"elle ne peut avoir été annulée avant."))
    problems += _future("on", on, today, "La date d'annulation")
    return problems
