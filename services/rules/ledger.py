"""The points ledger: balance in law on any date, replayed from every known movement.

Rules: R1–R4 (capital, probation, increments, cap), R6/R42 (invalidation), R8 (retrait effective at
its decision date), R24 (balance ≤ 0 without notified 48SI), R25/R28 (one point-earning course per
year), R26/R27 (credit and effect date), R34 (no attestation, no points), R43 (late-registered
retraits), R51–R54 (automatic recovery), D2, D3, D7, D8, D9 (same-date order), Q5, Q9, Q15.

Same-date order (D9, documented choice for the increments): the starting balance, then probation
increments (an anniversary is the start of that day: the cap rises on the same date), then retraits
(decision date), then course credits, then automatic restorations, and last an imported FNPC
balance (a snapshot of the end of its day, replacing everything before it).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .calendar import add_years
from .config import DEFAULT_CONFIG, RulesConfig
from .dates import (
    course_days_problems,
    effect_date,
    next_course_allowed_on,
    probation_anniversaries,
    probation_end,
    restoration_date,
)
from .explain import Explanation, Flag, fr_date

MAX_POINTS = 12  # R1
PROBATION_START = 6  # R2
COURSE_POINTS = 4  # R26
OFFENCE_CLASSES = ("C1", "C2", "C3", "C4", "C5", "delit")
SEVERE_CLASSES = ("C4", "C5", "delit")  # R51: 3 years instead of 2
TEN_YEAR_CLASSES = ("C1", "C2", "C3", "C4")  # R53

# D9 ranks on the same effective date
_RANK = {"solde": 0, "majoration": 1, "retrait": 2, "stage": 3, "restitution": 4, "import": 9}


def _pts(n: int) -> str:
    return f"{n} point" if abs(n) <= 1 else f"{n} points"


@dataclass(frozen=True)
class LicenceFacts:
    """What the rules need to know about a licence (R2, R3, D7)."""

    obtained_on: date
    probation: str  # "classic" | "aac" | "none"
    formation_complementaire: bool = False
    imported_points: int | None = None  # an FNPC balance known on imported_on (API.md)
    imported_on: date | None = None

    @property
    def probation_end(self) -> date | None:
        """D7: first day outside probation (None for "none")."""
        return probation_end(self.obtained_on, self.probation, self.formation_complementaire)

    def in_probation(self, on: date) -> bool:
        """D7/R16: obtained_on ≤ on < probation end."""
        end = self.probation_end
        return end is not None and self.obtained_on <= on < end


@dataclass(frozen=True)
class Retrait:
    """A retrait of points (R7, R8): effective on its decision date."""

    ref: str
    committed_on: date
    points: int
    decision_on: date
    established_on: date | None = None  # réalité date (R7), starts recovery delays (D8)
    offence_class: str = "C4"  # "C1".."C5" | "delit"

    @property
    def realite_on(self) -> date:
        """D8/R7: réalité date; the decision date when it is unknown."""
        return self.established_on or self.decision_on


@dataclass(frozen=True)
class CourseFacts:
    """A course followed by the holder (D12, R26, R27, R34)."""

    ref: str
    day1: date
    day2: date
    attested: bool = True
    refused_by: Explanation | None = None  # a person's refusal (verification / examen_manuel)

    @property
    def effect_on(self) -> date:
        return effect_date(self.day2)  # R27/D3


@dataclass(frozen=True)
class InvalidationFacts:
    """A 48SI (R6): decided, and notified (or not yet)."""

    decision_on: date
    notified_on: date | None


@dataclass(frozen=True)
class Movement:
    """One ledger movement; ``points`` is signed, except ``solde`` (the balance itself)."""

    kind: str  # "solde" | "retrait" | "majoration" | "stage" | "restitution"
    points: int
    effective_on: date
    ref: str | None
    explanation: Explanation | None


@dataclass(frozen=True)
class CourseCredit:
    """The result of a course in the ledger (API.md outcome: points_credited, effect_on…)."""

    ref: str
    points: int
    effect_on: date | None
    balance_before: int | None
    balance_after: int | None
    refusal: Explanation | None
    explanations: tuple[Explanation, ...]
    flags: tuple[Flag, ...]

    @property
    def needs_review(self) -> bool:
        return any(f.review for f in self.flags)

    def to_outcome(self) -> dict[str, object]:
        """The API.md ``outcome`` fields of a credited (or refused) course."""
        return {
            "points_credited": self.points,
            "effect_on": self.effect_on.isoformat() if self.effect_on else None,
            "balance_after": self.balance_after,
            "credit_refusal": (
                {"rule": self.refusal.rule, "reason": self.refusal.message}
                if self.refusal else None
            ),
        }


@dataclass
class _Event:
    on: date
    kind: str
    ref: str
    payload: object = None
    seq: int = 0

    @property
    def key(self) -> tuple[date, int, str, int]:
        return (self.on, _RANK[self.kind], self.ref, self.seq)


@dataclass(frozen=True)
class _Restoration:
    rule: str  # R51 | R52 | R53
    retrait: Retrait
    window_end: date
    points: int | None  # None = back to the maximum (R51)
    postponed_from: date | None = None  # R51 window ended during probation: applied at its end


@dataclass
class Ledger:
    """Result of :func:`replay`: movements in D9 order and the balance in law on any date."""

    licence: LicenceFacts
    cfg: RulesConfig
    movements: list[Movement] = field(default_factory=list)
    courses: dict[str, CourseCredit] = field(default_factory=dict)
    notes: list[Explanation] = field(default_factory=list)
    increments: list[tuple[date, int, bool]] = field(default_factory=list)  # (date, +n, granted)
    invalidations: tuple[InvalidationFacts, ...] = ()
    dated_flags: list[tuple[date, Flag]] = field(default_factory=list)  # shown from that date
    _dates: list[date] = field(default_factory=list)
    _balances: list[int] = field(default_factory=list)

    # -- balance and cap ---------------------------------------------------------------------
    def balance_on(self, d: date) -> int:
        """Balance in law at the end of day ``d`` (every movement effective ≤ d, D9); 0 before."""
        i = bisect.bisect_right(self._dates, d)
        return self._balances[i - 1] if i else 0

    def cap_on(self, d: date) -> int:
        """R4/Q15: probation cap = 6 + increments actually earned by ``d``; 12 otherwise."""
        end = self.licence.probation_end
        if end is None or d >= end:
            return MAX_POINTS
        return PROBATION_START + sum(n for a, n, ok in self.increments if ok and a <= d)

    def valid_on(self, d: date) -> bool:
        """R6/R42: False from the day a 48SI is notified."""
        return not any(i.notified_on is not None and i.notified_on <= d for i in self.invalidations)

    @property
    def probation_end(self) -> date | None:
        return self.licence.probation_end

    def in_probation(self, d: date) -> bool:
        return self.licence.in_probation(d)

    def course(self, ref: str) -> CourseCredit:
        """The credit computed for course ``ref`` (KeyError when unknown)."""
        return self.courses[ref]

    def flags(self, on: date) -> tuple[Flag, ...]:
        """Licence-level flags on ``on`` (R24: balance ≤ 0 while no 48SI is notified; Q5; R6:
        a 48SI notified while the balance computed on its decision date is above zero, which
        says that retraits are missing from what was recorded)."""
        flags = [f for d, f in self.dated_flags if d <= on]
        for inv in self.invalidations:
            if inv.notified_on is None or inv.notified_on > on:
                continue
            left = self.balance_on(inv.decision_on)
            if left > 0:
                flags.append(Flag("R6", f"R6 : 48SI décidée le {fr_date(inv.decision_on)} "
                                        f"alors que le solde calculé à cette date est de "
                                        f"{_pts(left)} : une 48SI suppose un solde nul ; "
                                        "vérifiez les retraits enregistrés"))
        balance = self.balance_on(on)
        if balance <= 0 and self.valid_on(on) and on >= self.licence.obtained_on:
            extra = " (solde négatif admis, CFG_NEGATIVE_BALANCE, Q5)" if balance < 0 else ""
            flags.append(Flag("R24", f"R24 : solde en droit de {_pts(balance)} le {fr_date(on)} "
                                     "sans lettre 48SI notifiée : le permis reste valide jusqu'à "
                                     f"la notification{extra}"))
        return tuple(flags)


def _increments(licence: LicenceFacts, retraits: list[Retrait]) -> list[tuple[date, int, bool]]:
    """R3/Q9: increment at anniversary A iff no retrait-bearing infraction committed before A."""
    result = []
    for a, n in probation_anniversaries(
        licence.obtained_on, licence.probation, licence.formation_complementaire
    ):
        granted = not any(r.committed_on < a for r in retraits)
        result.append((a, n, granted))
    return result


def _restorations(
    licence: LicenceFacts, retraits: list[Retrait],
    flags: list[tuple[date, Flag]] | None = None,
) -> list[tuple[date, _Restoration]]:
    """R51–R53/D8: candidate automatic restorations (dates are static; amounts are not).
    `flags` receives (date shown from, flag) for a window that only its last day's infraction
    blocks (D8's boundary, UNCERTAIN)."""
    out: list[tuple[date, _Restoration]] = []
    end_probation = licence.probation_end

    def blocked(r: Retrait, end: date) -> bool:
        # D8: another infraction committed inside (réalité, end] blocks the window (end included)
        return any(o is not r and r.realite_on < o.committed_on <= end for o in retraits)

    def boundary(rule: str, r: Retrait, end: date, strictly_blocked: bool) -> None:
        # D8 (UNCERTAIN boundary): blocked only because the end day is included
        if flags is None or strictly_blocked:
            return
        on_end = [o for o in retraits if o is not r and o.committed_on == end
                  and r.realite_on < o.committed_on]
        if on_end:
            flags.append((end + timedelta(days=1), Flag(
                "D8", f"D8 : restitution automatique ({rule}) du retrait décidé le "
                      f"{fr_date(r.decision_on)} non faite : l'infraction du {fr_date(end)} est "
                      "commise le dernier jour du délai, inclus par défaut (borne incertaine)")))

    r52_done: set[int] = set()
    # R52: 1-point retraits, 6 months (also during probation)
    for idx, r in enumerate(retraits):
        if r.points == 1:
            end = restoration_date(r.realite_on, "6m") - timedelta(days=1)
            if blocked(r, end):
                boundary("R52", r, end, blocked(r, end - timedelta(days=1)))
            else:
                on = max(end + timedelta(days=1), r.decision_on)
                out.append((on, _Restoration("R52", r, end, 1)))
                r52_done.add(idx)
    # R51: back to 12 after 2 / 3 years without a new infraction (not during probation)
    by_realite = sorted(retraits, key=lambda r: (r.realite_on, r.ref))
    anchor: date | None = None
    r51_dates: list[date] = []
    for r in by_realite:
        later = [o for o in retraits if o is not r and o.realite_on > r.realite_on]
        pending = [o for o in by_realite if o.realite_on <= r.realite_on
                   and (anchor is None or o.realite_on > anchor)]
        kind = "3y" if any(o.offence_class in SEVERE_CLASSES for o in pending) else "2y"
        end = restoration_date(r.realite_on, kind) - timedelta(days=1)
        if blocked(r, end) or any(o.realite_on <= end for o in later):
            day_before = end - timedelta(days=1)
            boundary("R51", r, end, blocked(r, day_before)
                     or any(o.realite_on <= day_before for o in later))
            continue
        on = max([end + timedelta(days=1)] + [o.decision_on for o in pending])
        postponed = None
        if end_probation is not None and on < end_probation:
            # L223-1: not applicable DURING probation. The two/three clean years are met; the
            # return to the maximum applies on the day probation ends, unless a new
            # retrait-bearing infraction was committed before then (its own window then runs).
            # docs/legal-decisions.md LD7
            if any(end < o.committed_on < end_probation for o in retraits if o is not r):
                continue
            postponed, on = on, end_probation
        out.append((on, _Restoration("R51", r, end, None, postponed)))
        r51_dates.append(on)
        anchor = r.realite_on
    # R53: 10 years for C1–C4 retraits, unless already restored (R52) or back to 12 (R51)
    for idx, r in enumerate(retraits):
        if idx in r52_done or r.offence_class not in TEN_YEAR_CLASSES:
            continue
        on = restoration_date(r.realite_on, "10y")
        if any(r.decision_on < d <= on for d in r51_dates):
            continue
        out.append((max(on, r.decision_on), _Restoration("R53", r, on - timedelta(days=1),
                                                          r.points)))
    return out


def replay(
    licence: LicenceFacts,
    retraits: Iterable[Retrait] = (),
    courses: Iterable[CourseFacts] = (),
    invalidations: Iterable[InvalidationFacts] = (),
    cfg: RulesConfig = DEFAULT_CONFIG,
    *,
    as_of: date | None = None,
) -> Ledger:
    """Replay every known movement in effective-date order (D9) and return the ledger.

    ``as_of`` is accepted for symmetry with the API and ignored: every known movement counts,
    whenever it was registered (R43).
    """
    del as_of
    retraits = sorted(retraits, key=lambda r: (r.decision_on, r.ref))
    course_list = sorted(courses, key=lambda c: (c.effect_on, c.day1, c.ref))
    invals = tuple(sorted(invalidations, key=lambda i: i.decision_on))
    ledger = Ledger(licence=licence, cfg=cfg, invalidations=invals)
    ledger.increments = _increments(licence, retraits)

    events: list[_Event] = []
    start = MAX_POINTS if licence.probation == "none" else PROBATION_START
    events.append(_Event(licence.obtained_on, "solde", "", start))
    for a, n, granted in ledger.increments:
        if granted:
            events.append(_Event(a, "majoration", "", n))
        else:
            ledger.notes.append(Explanation(
                "R3", f"R3 : pas de majoration de {_pts(n)} le {fr_date(a)} : infraction commise "
                      "avant cette date (Q9 : date de commission)"))
            blocking = [r for r in retraits if r.committed_on < a]
            if blocking and all(r.decision_on >= a for r in blocking):
                # Q9: the increment is withdrawn by a retrait decided after the anniversary
                first = min(r.decision_on for r in blocking)
                ledger.dated_flags.append((first, Flag(
                    "R3", f"R3 : majoration du {fr_date(a)} retirée, l'infraction ayant été "
                          f"commise avant cette date mais décidée le {fr_date(first)} "
                          "(règle incertaine, Q9)")))
    if (licence.probation != "none" and licence.obtained_on.month == 2
            and licence.obtained_on.day == 29):
        # D7/Q16: anniversaries of a licence obtained on 29/02 fall on 28/02 (UNCERTAIN)
        ledger.dated_flags.append((licence.obtained_on, Flag(
            "D7", f"D7 : permis obtenu le {fr_date(licence.obtained_on)} : anniversaires et fin "
                  "de la période probatoire fixés au 28 février les années non bissextiles, par "
                  "défaut (règle incertaine, Q16)")))
    for i, r in enumerate(retraits):
        events.append(_Event(r.decision_on, "retrait", r.ref, r, i))
        if r.realite_on.month == 2 and r.realite_on.day == 29:
            # D8/Q16: the 2-, 3- and 10-year windows from a 29/02 end on 28/02 (UNCERTAIN)
            ledger.dated_flags.append((r.decision_on, Flag(
                "D8", f"D8 : délais de restitution du retrait décidé le {fr_date(r.decision_on)} "
                      f"comptés depuis le {fr_date(r.realite_on)} : en années, ils s'achèvent "
                      "le 28 février, par défaut (règle incertaine, Q16)")))
    for i, c in enumerate(course_list):
        events.append(_Event(c.effect_on, "stage", c.ref, c, i))
    for i, (on, rest) in enumerate(_restorations(licence, retraits, ledger.dated_flags)):
        events.append(_Event(on, "restitution", rest.retrait.ref, rest, i))
    if licence.imported_points is not None:
        events.append(_Event(licence.imported_on or licence.obtained_on, "import", "",
                             licence.imported_points))
    events.sort(key=lambda e: e.key)

    balance = 0
    last_clock_day1: date | None = None
    pending_courses: list[tuple[CourseFacts, dict[str, object]]] = []
    for ev in events:
        before = balance
        if ev.kind in ("solde", "import"):
            balance = int(ev.payload)  # type: ignore[arg-type]
            rule = "R44" if ev.kind == "import" else ("R1" if start == MAX_POINTS else "R2")
            label = "solde importé (FNPC)" if ev.kind == "import" else "capital initial"
            expl = Explanation(rule, f"{rule} : {label} de {_pts(balance)} le {fr_date(ev.on)}")
            ledger.movements.append(Movement("solde", balance, ev.on, None, expl))
        elif ev.kind == "majoration":
            n = int(ev.payload)  # type: ignore[arg-type]
            balance += n
            ledger.movements.append(Movement("majoration", n, ev.on, None, Explanation(
                "R3", f"R3 : majoration probatoire de {_pts(n)} le {fr_date(ev.on)} "
                      f"({before} → {balance})")))
        elif ev.kind == "retrait":
            r: Retrait = ev.payload  # type: ignore[assignment]
            balance -= r.points
            msg = (f"R8 : retrait de {_pts(r.points)} effectif à la décision du "
                   f"{fr_date(r.decision_on)} ({before} → {balance})")
            if balance < 0 and not cfg.negative_balance:
                balance = 0
                msg += ", solde ramené à 0 (CFG_NEGATIVE_BALANCE=false)"
            ledger.movements.append(Movement("retrait", balance - before, ev.on, r.ref,
                                             Explanation("R8", msg)))
        elif ev.kind == "stage":
            c: CourseFacts = ev.payload  # type: ignore[assignment]
            credit = _credit(ledger, c, balance, last_clock_day1, cfg)
            balance += credit["points"]  # type: ignore[operator]
            if credit["starts_clock"]:
                last_clock_day1 = c.day1
            if credit["refusal"] is None:
                ledger.movements.append(Movement(
                    "stage", credit["points"], ev.on, c.ref,  # type: ignore[arg-type]
                    credit["explanations"][-1]))  # type: ignore[index]
            pending_courses.append((c, credit))
        else:
            rest: _Restoration = ev.payload  # type: ignore[assignment]
            expl = _restore(ledger, rest, ev.on, balance)
            gained = 0 if expl.rule == "R54" else _restore_amount(ledger, rest, ev.on, balance)
            if gained > 0:
                balance += gained
                ledger.movements.append(Movement("restitution", gained, ev.on, rest.retrait.ref,
                                                 expl))
            else:
                ledger.notes.append(expl)
        if ledger._dates and ledger._dates[-1] == ev.on:
            ledger._balances[-1] = balance
        else:
            ledger._dates.append(ev.on)
            ledger._balances.append(balance)

    for c, credit in pending_courses:
        refused = credit["refusal"] is not None
        ledger.courses[c.ref] = CourseCredit(
            ref=c.ref,
            points=credit["points"],  # type: ignore[arg-type]
            effect_on=None if refused else c.effect_on,
            balance_before=credit["balance_before"],  # type: ignore[arg-type]
            balance_after=None if refused else ledger.balance_on(c.effect_on),
            refusal=credit["refusal"],  # type: ignore[arg-type]
            explanations=tuple(credit["explanations"]),  # type: ignore[arg-type]
            flags=tuple(credit["flags"]),  # type: ignore[arg-type]
        )
    return ledger


def _credit(
    ledger: Ledger, c: CourseFacts, balance: int, last_clock_day1: date | None, cfg: RulesConfig
) -> dict[str, object]:
    """R26 and the rules that give 0 points (R42, R34, D12/R31, a person's refusal, R25)."""
    effect = c.effect_on
    explanations: list[Explanation] = [Explanation(
        "R27", f"R27 : stage du {fr_date(c.day1)} au {fr_date(c.day2)}, effet le "
               f"{fr_date(effect)}", {"day1": c.day1, "day2": c.day2, "effect_on": effect})]
    flags: list[Flag] = []
    refusal: Explanation | None = None

    notified = [i.notified_on for i in ledger.invalidations
                if i.notified_on is not None and i.notified_on <= c.day2]
    day_problems = course_days_problems(c.day1, c.day2)
    if notified:
        refusal = Explanation("R42", f"R42 : invalidation (48SI) notifiée le "
                                     f"{fr_date(min(notified))}, avant la fin du stage : "
                                     "aucun point ne peut être crédité",
                              {"notified_on": min(notified)})
    elif not c.attested:
        refusal = Explanation("R34", "R34 : pas d'attestation de stage (stage non suivi en "
                                     "intégralité) : aucun point")
    elif day_problems:
        refusal = Explanation(day_problems[0].rule, day_problems[0].message + " : aucun point",
                              day_problems[0].facts)
    elif c.refused_by is not None:
        refusal = c.refused_by
    elif last_clock_day1 is not None:
        allowed = next_course_allowed_on(last_clock_day1, cfg)
        other = next_course_allowed_on(last_clock_day1, RulesConfig(
            one_year_rule="PLUS_ONE_DAY" if cfg.one_year_rule == "SAME_DATE" else "SAME_DATE"))
        if (c.day1 < allowed) != (c.day1 < other):
            flags.append(Flag("R25", f"R25 : le premier jour ({fr_date(c.day1)}) tombe sur la "
                                     "limite d'un an, dont le calcul est incertain "
                                     f"(CFG_ONE_YEAR_RULE={cfg.one_year_rule}, Q2)"))
        if last_clock_day1.month == 2 and last_clock_day1.day == 29:
            # D2/Q16: 29/02 + 1 year is 28/02 by default; 01/03 the other reading
            leap_other = (date(last_clock_day1.year + 1, 3, 1)
                          + (allowed - add_years(last_clock_day1, 1)))
            if (c.day1 < allowed) != (c.day1 < leap_other):
                flags.append(Flag("D2", f"D2 : stage précédent commencé le "
                                        f"{fr_date(last_clock_day1)} : un an plus tard est le "
                                        f"{fr_date(allowed)} par défaut (règle incertaine, "
                                        "Q16) ; ce stage commence ce jour-là"))
        if c.day1 < allowed:
            refusal = Explanation(
                "R25", f"R25 : un seul stage donnant des points par an : stage précédent commencé "
                       f"le {fr_date(last_clock_day1)}, nouveau stage possible à partir du "
                       f"{fr_date(allowed)} ; ce stage commence le {fr_date(c.day1)} : 0 point",
                {"previous_day1": last_clock_day1, "allowed_on": allowed, "day1": c.day1})
        else:
            explanations.append(Explanation(
                "R25", f"R25 : stage précédent commencé le {fr_date(last_clock_day1)}, "
                       f"délai d'un an respecté (à partir du {fr_date(allowed)})",
                {"previous_day1": last_clock_day1, "allowed_on": allowed, "day1": c.day1}))

    if refusal is not None:
        explanations.append(refusal)
        return {"points": 0, "refusal": refusal, "balance_before": balance,
                "explanations": explanations, "flags": flags, "starts_clock": False}

    cap = ledger.cap_on(effect)
    points = max(0, min(COURSE_POINTS, cap - balance))
    formula = f"min(4, {cap} − {balance})"
    if cap - balance < 0:
        formula = f"max(0, {formula})"
    explanations.append(Explanation(
        "R26", f"R26 : {formula} = {_pts(points)} crédité{'s' if points > 1 else ''} "
               f"(plafond {cap} le {fr_date(effect)}, solde avant {balance})",
        {"points": points, "cap": cap, "balance_before": balance, "effect_on": effect}))
    if balance <= 0:
        flags.append(Flag("R24", f"R24 : solde en droit de {_pts(balance)} le {fr_date(effect)} "
                                 "(retraits décidés avant l'effet du stage) sans 48SI notifiée : "
                                 "le stage est pris en compte (CE 29/09/2023), examen manuel",
                          review=True))
    end = ledger.licence.probation_end
    if end is not None and effect >= end and not all(ok for _, _, ok in ledger.increments):
        flags.append(Flag("R4", f"R4 : plafond de 12 points appliqué après la fin de la période "
                                f"probatoire ({fr_date(end)}) malgré une infraction pendant "
                                "celle-ci (règle déduite, Q15)"))
    starts = points >= 1 or cfg.zero_point_course_starts_clock
    if points == 0:
        explanations.append(Explanation(
            "R28", "R28 : stage sans point crédité : " + (
                "il fait courir le délai d'un an (CFG_ZERO_POINT_COURSE_STARTS_CLOCK=true)"
                if starts else "il ne fait pas courir le délai d'un an"),
            {"starts_clock": starts}))
        flags.append(Flag("R28", "R28 : effet d'un stage sans point sur le délai d'un an "
                                 "incertain (Q13)"))
    # the movement explanation must be the R26 one: keep it last
    if explanations[-1].rule != "R26":
        r26 = next(e for e in explanations if e.rule == "R26")
        explanations.remove(r26)
        explanations.append(r26)
    return {"points": points, "refusal": None, "balance_before": balance,
            "explanations": explanations, "flags": flags, "starts_clock": starts}


def _restore_amount(ledger: Ledger, rest: _Restoration, on: date, balance: int) -> int:
    cap = ledger.cap_on(on)
    wanted = (cap - balance) if rest.points is None else rest.points
    return max(0, min(wanted, cap - balance))


def _restore(ledger: Ledger, rest: _Restoration, on: date, balance: int) -> Explanation:
    """R51–R54: explanation of an automatic restoration (R54 when it is barred)."""
    if not ledger.valid_on(on) or balance <= 0:
        return Explanation("R54", f"R54 : pas de récupération automatique le {fr_date(on)} "
                                  f"(permis invalidé ou solde de {_pts(balance)})")
    gained = _restore_amount(ledger, rest, on, balance)
    r = rest.retrait
    delay = {"R52": "six mois", "R53": "dix ans"}.get(rest.rule) or (
        "trois ans" if rest.window_end >= restoration_date(r.realite_on, "3y")
        - timedelta(days=1) else "deux ans")
    what = "retour au maximum" if rest.rule == "R51" else f"restitution de {_pts(rest.points or 0)}"
    return Explanation(rest.rule, (
        f"{rest.rule} : {what} — aucune nouvelle infraction dans le délai de {delay} suivant "
        f"le {fr_date(r.realite_on)} (jusqu'au {fr_date(rest.window_end)} inclus) : "
        f"+{_pts(gained)} le {fr_date(on)} ({balance} → {balance + gained})"
        + (f" ; délai achevé le {fr_date(rest.postponed_from)} pendant la période probatoire, "
           "retour au maximum reporté à la fin de celle-ci (L223-1 ; décision LD7)"
           if rest.postponed_from else "")))
