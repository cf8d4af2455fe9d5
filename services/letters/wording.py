"""What a driver reads in a letter (docs/process-bundle.md, « Courriers »): the results of the
rules in plain administrative French, told from the dates and figures each rule used
(`Explanation.facts`), never from the clerks' messages: no rule id, no formula, no setting's
name, plurals agreed (« 1 point a été crédité », « 3 points ont été crédités »). A QA finding:
the credit notice read « R26 : min(4, 8 − 5) = 3 points crédités (plafond 8…) » and the refund
decision « (règle R20) ». The clerks' reasons (the case page, the API, the history) keep their
rule ids: clerks use them.

Every text here is a sentence with its full stop, except a refund's refusal (`refund_reason`),
which a template writes after « … ne peut pas vous être accordé : » and ends itself."""

from __future__ import annotations

from collections.abc import Mapping

from services.errors import sentences
from services.letters.render import date_in_words as words
from services.rules import refund as rrefund
from services.rules.explain import Explanation, fr_points

COURSE_POINTS = 4  # R26: what one course may give back


def credited(n: int) -> str:
    """« 1 point a été crédité », « 3 points ont été crédités »."""
    return f"{fr_points(n)} a été crédité" if abs(n) <= 1 else f"{fr_points(n)} ont été crédités"


# ---- a course's credit (R25–R28) ---------------------------------------------------------------

def _effect(f: Mapping, points: int) -> str | None:  # R27
    if points <= 0:
        return None  # no point, no effect date to explain
    return ("La reconstitution de points prend effet le lendemain du dernier jour du stage, soit "
            f"le {words(f['effect_on'])}.")


def _amount(f: Mapping, points: int) -> str | None:  # R26
    if points <= 0:
        return None  # the letter says it: the balance is already at the cap
    return (f"Un stage permet de récupérer jusqu'à {COURSE_POINTS} points, dans la limite du "
            f"plafond de {fr_points(f['cap'])} applicable à votre permis à cette date : votre "
            f"solde étant de {fr_points(f['balance_before'])} avant le stage, "
            f"{credited(f['points'])}.")


def _one_year(f: Mapping, points: int) -> str:  # R25, kept
    return ("Le délai d'un an entre deux stages donnant lieu à une récupération de points est "
            f"respecté : votre précédent stage de ce type a commencé le {words(f['previous_day1'])}"
            f" et celui-ci le {words(f['day1'])}.")


def _clock(f: Mapping, points: int) -> str:  # R28
    if f.get("starts_clock"):
        return ("Bien qu'il n'ait donné lieu à aucun crédit de points, ce stage fait courir le "
                "délai d'un an avant lequel un nouveau stage ne peut pas vous rapporter de points.")
    return ("Ce stage n'ayant donné lieu à aucun crédit de points, il ne fait pas courir le délai "
            "d'un an avant lequel un nouveau stage ne peut pas vous rapporter de points.")


CREDIT_TEXTS = {"R27": _effect, "R26": _amount, "R25": _one_year, "R28": _clock}


def credit_explanations(explanations, points: int | None) -> list[dict]:
    """The credit's explanations a driver reads (`issue.regles`: {regle, texte}), in the rules'
    order; those a driver need not read (a refusal: the letter says it) are left out."""
    out: list[dict] = []
    for e in explanations:
        told = CREDIT_TEXTS.get(e.rule)
        if told is None or not _has_facts(e):
            continue
        try:
            text = told(e.facts, points or 0)
        except KeyError:  # facts of another shape: not told rather than told wrong
            continue
        if text and text not in (o["texte"] for o in out):
            out.append({"regle": e.rule, "texte": text})
    return out


def _has_facts(e: Explanation) -> bool:
    return isinstance(getattr(e, "facts", None), Mapping) and bool(e.facts)


# ---- why no point was credited (R25, R31/D12, R34, R42, a clerk's refusal) ---------------------

def _by_person(f: Mapping) -> str:
    motif = str(f.get("motif") or "").strip()
    return sentences(["après examen de votre dossier, mes services ont refusé ce crédit de points"
                      + (f" pour le motif suivant : {motif}" if motif else "")])


def _invalidated(f: Mapping) -> str:  # R42
    return ("l'invalidation de votre permis de conduire (lettre référence 48SI) vous a été "
            f"notifiée le {words(f['notified_on'])}, avant la fin du stage.")


def _not_attended(f: Mapping) -> str:  # R34
    return ("le stage n'a pas été suivi dans son intégralité : aucune attestation de suivi de "
            "stage n'a été délivrée.")


def _not_consecutive(f: Mapping) -> str:  # D12
    return ("les deux journées d'un stage doivent être consécutives, ce qui n'est pas le cas des "
            f"journées du {words(f['day1'])} et du {words(f['day2'])}.")


def _sunday_or_holiday(f: Mapping) -> str:  # R31
    # « fête nationale (14 juillet) »: no parenthesis within the parenthesis
    holiday = str(f.get("holiday") or "").replace(" (", ", ").replace(")", "")
    what = f"un jour férié ({holiday})" if holiday else "un dimanche"
    return (f"un stage ne peut se tenir ni un dimanche ni un jour férié ; or le {f['which']} jour "
            f"de ce stage, le {words(f['day'])}, est {what}.")


def _within_a_year(f: Mapping) -> str:  # R25
    return ("un seul stage par période d'un an peut donner lieu à une récupération de points. "
            f"Votre précédent stage de ce type ayant commencé le {words(f['previous_day1'])}, un "
            f"nouveau stage ne pouvait vous rapporter des points qu'à partir du "
            f"{words(f['allowed_on'])} ; celui-ci a commencé le {words(f['day1'])}.")


REFUSAL_TEXTS = {"R42": _invalidated, "R34": _not_attended, "D12": _not_consecutive,
                 "R31": _sunday_or_holiday, "R25": _within_a_year}
REFUSAL_DEFAULT = "les conditions d'une récupération de points ne sont pas remplies."


def refusal_text(refusal: Explanation | None) -> str | None:
    """Why a course credited no point, after « aucun point ne peut être crédité sur votre permis
    de conduire à la suite de ce stage : » (`issue.refus`)."""
    if refusal is None:
        return None
    f = refusal.facts if _has_facts(refusal) else {}
    try:
        if f.get("by_person"):  # whatever rule the person cited (R32, R41…)
            return _by_person(f)
        told = REFUSAL_TEXTS.get(refusal.rule)
        return told(f) if told is not None else REFUSAL_DEFAULT
    except KeyError:
        return REFUSAL_DEFAULT


# ---- the refund of the fine (R20, R45–R49) -----------------------------------------------------

FINE_NOTES = {
    rrefund.UNPAID_REASON: "L'amende n'ayant pas été payée, votre demande au comptable public "
                           "porte sur l'interruption de l'action en recouvrement de l'amende, et "
                           "non sur son remboursement.",
    rrefund.UNKNOWN_FINE_REASON: "Si vous avez payé l'amende, votre demande au comptable public "
                                 "porte sur son remboursement ; si vous ne l'avez pas payée, elle "
                                 "porte sur l'interruption de l'action en recouvrement de "
                                 "l'amende.",
}


def refund_reason(stored: Mapping | None, decision, deadline: str | None) -> str | None:
    """The refund's `motif` a driver reads: for a refund granted, what the request is about (a
    fine unpaid or unknown, R45), a sentence; for a refund refused, why, a clause the template
    ends (« … ne peut pas vous être accordé : <motif>. »). `stored`: the case's refund as the
    command recorded it; `decision`: the rules' refund decision now (its refusal's facts say
    why), used only when it is the stored one; `deadline`: the 4-month deadline, in words."""
    if not stored:
        return None
    if stored.get("eligible"):
        return FINE_NOTES.get(stored.get("reason"))
    refusal = (decision.explanations[-1] if decision is not None and not decision.eligible
               and decision.rule == stored.get("rule") and decision.explanations else None)
    cause = refusal.facts.get("cause") if refusal is not None and _has_facts(refusal) else None
    if cause == "composition_penale":
        return "l'amende résulte d'une composition pénale, qui ne peut pas être remboursée"
    if cause == "hors_delai":
        return ("le remboursement suppose que le stage obligatoire soit suivi dans le délai de "
                "quatre mois" + (f", qui expirait le {deadline}" if deadline else "")
                + ", ce qui n'est pas le cas")
    if cause == "refus_agent":
        motif = str(refusal.facts.get("motif") or "").strip().rstrip(".")
        return ("après examen de votre dossier, mes services ont refusé le remboursement"
                + (f" pour le motif suivant : {motif}" if motif else ""))
    if cause == "obligation_non_remplie":
        return ("après examen de votre dossier, mes services ont constaté que l'obligation de "
                "stage n'est pas remplie, et le remboursement suppose un stage obligatoire "
                "conforme")
    if cause == "stage_sans_point":
        why = refusal_text(refusal.facts.get("refusal")) or REFUSAL_DEFAULT
        return ("ce stage n'a donné lieu à aucune récupération de points, si bien qu'il ne "
                "remplit pas l'obligation de stage et ne se substitue pas à l'amende. En effet, "
                + why.rstrip("."))
    return "les conditions du remboursement de l'amende ne sont pas remplies"


# ---- the manual review (R19, R41, R48) ---------------------------------------------------------

REVIEW_CHOICES = {
    ("obligation", "remplie"): "l'obligation de stage est remplie",
    ("obligation", "non_remplie"): "l'obligation de stage n'est pas remplie",
    ("remboursement", "accorde"): "le remboursement de l'amende est accordé",
    ("remboursement", "refuse"): "le remboursement de l'amende est refusé",
}


def review_text(enrollment) -> str | None:
    """What the manual review of the course decided (`issue.examen`), or None when no person
    reviewed it (services/outcome.reviewed_course)."""
    if enrollment is None:
        return None
    parts = ["les points ont été crédités" if enrollment.credit_decision == "crediter"
             else "le crédit de points a été refusé"]
    for key, choice in (("obligation", enrollment.review_obligation),
                        ("remboursement", enrollment.review_refund)):
        if choice:
            parts.append(REVIEW_CHOICES[(key, choice)])
    return "Après examen de votre dossier par mes services, " + " ; ".join(parts) + "."
