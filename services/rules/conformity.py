"""R19 for a whole case: whether the 48N obligation has a conforming course (conforme), may still
get one from a course under way (en_attente) or has none (non_conforme); and the decisions
around a course that the services used to spell out themselves: a course ending after the
deadline (R19), the rule a refused credit cites (R41/R42), the NPAI review (R17), and the
checks of a 48N's receipt (D11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .config import DEFAULT_CONFIG, RulesConfig
from .eligibility import compliance
from .explain import Flag

CONFORME, EN_ATTENTE, NON_CONFORME, SANS_OBJET = ("conforme", "en_attente", "non_conforme",
                                                  "sans_objet")


@dataclass(frozen=True)
class CourseFacts:
    """What R19 reads of one of the case's courses."""

    day1: date
    day2: date
    verification: str | None  # the clerk's check of the attestation: "valider", "refuser", None
    awaiting_session: bool  # enrolled in a session still planned
    attestation_issued: bool


def case_conformity(mandatory: bool, invalidated: bool, notified_on: date | None,
                    deadline: date | None, courses: Sequence[CourseFacts],
                    cfg: RulesConfig = DEFAULT_CONFIG) -> str:
    """R19 from the courses' dates, never from when a clerk or centre recorded an event.

    A voluntary case, or one whose licence is invalidated (Q8), has no obligation: sans_objet.
    A course whose dates comply (R17–R19) and whose attestation a clerk validated makes the case
    conforme; one still to be held, or attested and not yet checked, keeps it en_attente."""
    if not mandatory or invalidated:
        return SANS_OBJET
    waiting = False
    for course in courses:
        if not compliance(notified_on, deadline, course.day1, course.day2, cfg).ok:
            continue
        if course.verification == "valider":
            return CONFORME
        if course.awaiting_session or (course.attestation_issued and course.verification is None):
            waiting = True
    return EN_ATTENTE if waiting else NON_CONFORME


def ends_after_deadline(day1: date, day2: date, deadline: date | None,
                        cfg: RulesConfig = DEFAULT_CONFIG) -> bool:
    """R19: a course on [day1, day2] is too late for the deadline (D1, included): its last day
    is after it, or its first day with CFG_DEADLINE_TEST=FIRST_DAY (Q3)."""
    if deadline is None:
        return False
    return (day2 if cfg.deadline_test == "LAST_DAY" else day1) > deadline


def refusal_rule(review_rules: Sequence[str], under_manual_review: bool) -> str:
    """The rule a refused credit cites: the first reason the course went to review (R17, R25,
    R32 …); else R42 when the case itself is under manual review (an invalidation, Q8), R41
    otherwise (the prefecture refuses a course it cannot validate)."""
    if review_rules:
        return review_rules[0]
    return "R42" if under_manual_review else "R41"


def npai_review(mandatory: bool, receipt: str | None) -> Flag | None:
    """R17/D11: a 48N returned NPAI was never notified, the deadline did not run: any course on
    that case goes to a clerk's review."""
    if mandatory and receipt == "npai":
        return Flag("R17", "Lettre 48N revenue NPAI : le délai n'a pas couru (D11), un agent doit "
                           "examiner le stage.", review=True)
    return None


def receipt_problems(receipt: str | None, sent_on: date | None, received_on: date | None) -> list[
        tuple[str, str]]:
    """D11: what is wrong with a 48N's receipt, as (field, French message) pairs, none if right.
    A signed or unclaimed letter has a receipt date (the signature or the first presentation),
    not before it was sent; an NPAI letter has none. A receipt or a sending date None (not
    known: a form refused for it) skips the checks that need it."""
    problems = []
    if receipt in ("signed", "unclaimed") and received_on is None:
        problems.append(("received_on", "Date de réception obligatoire (signature de l'AR ou "
                                        "première présentation, D11)."))
    if received_on is not None and sent_on is not None and received_on < sent_on:
        problems.append(("received_on", "La réception ne peut précéder l'envoi."))
    if receipt == "npai" and received_on is not None:
        problems.append(("received_on", "Une lettre NPAI n'a pas de date de réception (D11)."))
    return problems


R21_SANCTION = ("Ne pas suivre le stage dans le délai est puni de l'amende des contraventions de "
                "la 4e classe et, le cas échéant, d'une suspension du permis de 3 ans au plus "
                "(R21).")


def refused_attestation_consequences(mandatory: bool, obligation: str | None,
                                     deadline: date | None, today: date,
                                     cfg: RulesConfig = DEFAULT_CONFIG) -> tuple[str, ...]:
    """What refusing a course's attestation does to a 48N case under the law, in French, for
    the clerk about to confirm it: the course does not count for R19, so the obligation is met
    only by another course ending by the deadline (D1); past the deadline, it is not met, the
    fine is not refunded (R48) and the case is a referral candidate (R21). Nothing for a
    voluntary case, an obligation already met or under manual review (Q8), or a deadline that
    does not run (R17, D11)."""
    if not mandatory or deadline is None or obligation in ("met", "manual_review"):
        return ()
    if obligation == "not_met":
        return ("L'obligation de stage reste non remplie (R19) et l'amende ne sera pas "
                "remboursée (R48).",)
    if today > deadline:
        return (f"L'échéance du délai de quatre mois, le {deadline:%d/%m/%Y}, est passée : "
                "l'obligation de stage devient non remplie (R19), l'amende ne sera pas "
                "remboursée (R48) et le dossier devient candidat au signalement au parquet, "
                "qu'un agent décide (R21).", R21_SANCTION)
    return (f"Pour remplir son obligation (R19) et obtenir le remboursement de l'amende (R48), "
            f"le titulaire doit {'achever' if cfg.deadline_test == 'LAST_DAY' else 'commencer'}"
            f" un autre stage au plus tard le {deadline:%d/%m/%Y}, "
            "échéance du délai de quatre mois ; sinon, l'obligation ne sera pas remplie, "
            "l'amende ne sera pas remboursée et le signalement au parquet sera à décider "
            "(R21).", R21_SANCTION)
