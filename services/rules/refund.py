"""Refund of the fine after a mandatory course (R20, R45–R50, D6).

The refund itself is decided by the DGFiP comptable (R50): the software records eligibility,
the amount to claim and the driver's request deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .config import DEFAULT_CONFIG, RulesConfig
from .dates import refund_request_deadline
from .explain import Decision, Explanation, Flag, fr_date

FINE_KINDS = ("forfaitaire", "majoree", "judiciaire", "composition_penale")
UNPAID_REASON = "interruption de l'action en recouvrement"
UNKNOWN_FINE_REASON = ("amende non renseignée : payée (remboursement) ou non (interruption de "
                       "l'action en recouvrement), à vérifier par l'agent")
UNKNOWN_FINE_FLAG = Flag("R45", "R45 : amende de l'infraction non renseignée : l'agent doit "
                                "vérifier si elle a été payée (remboursement du montant payé) ou "
                                "non (demande d'interruption de l'action en recouvrement)")


@dataclass(frozen=True)
class FineFacts:
    amount: Decimal | int | None
    kind: str  # "forfaitaire" | "majoree" | "judiciaire" | "composition_penale"
    paid_on: date | None


@dataclass(frozen=True)
class RefundDecision:
    eligible: bool
    amount: Decimal | None
    request_deadline: date | None
    rule: str | None
    reason: str | None
    explanations: tuple[Explanation, ...] = ()
    flags: tuple[Flag, ...] = ()
    applicable: bool = True  # False for a voluntary course: no refund question at all

    def to_outcome(self) -> dict[str, object] | None:
        """The API.md ``outcome.refund`` object; None for a voluntary course."""
        if not self.applicable:
            return None
        if not self.eligible:
            return {"eligible": False, "rule": self.rule, "reason": self.reason}
        out: dict[str, object] = {
            "eligible": True,
            "amount": json_amount(self.amount),
            "request_deadline": self.request_deadline.isoformat() if self.request_deadline
            else None,
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def json_amount(amount: Decimal | None) -> int | float | None:
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def refund_decision(
    kind: str,
    fine: FineFacts | None,
    compliance: Decision | None,
    course_last_day: date | None,
    attestation_issued_on: date | None,
    cfg: RulesConfig = DEFAULT_CONFIG,
) -> RefundDecision:
    """R20/R45–R49/D6: is the fine refundable after this course, how much, until when?

    ``compliance`` is the R19 decision of the course (None: no compliant course, e.g. the
    deadline passed without one). A course on time but yielding 0 points (R25, R22) stays
    eligible (Q7). R50: only the eligibility is recorded; the comptable decides the refund.
    """
    if kind == "volontaire":
        return RefundDecision(False, None, None, None, None, (Explanation(
            "R45", "R45 : stage volontaire : pas de remboursement d'amende"),), (), False)
    if kind != "obligatoire":
        raise ValueError(f"type de dossier inconnu : {kind!r}")
    explanations: list[Explanation] = []
    flags: list[Flag] = []

    def refuse(rule: str, reason: str, cause: str) -> RefundDecision:
        explanations.append(Explanation(rule, f"{rule} : {reason}", {"cause": cause}))
        return RefundDecision(False, None, None, rule, reason, tuple(explanations), tuple(flags))

    if fine is not None and fine.kind == "composition_penale":
        return refuse("R45", "amende issue d'une composition pénale : non remboursable",
                      "composition_penale")
    if compliance is None or not compliance.ok:
        detail = compliance.text if compliance is not None and compliance.text else (
            "aucun stage conforme dans le délai de quatre mois")
        if cfg.refund_requires_deadline:
            flags.append(Flag("R48", "R48 : remboursement refusé faute de stage dans le délai "
                                     "de quatre mois, règle incertaine (Q7, "
                                     "CFG_REFUND_REQUIRES_DEADLINE=true)"))
            return refuse("R48", f"remboursement seulement si le stage obligatoire est suivi dans "
                                 f"le délai de quatre mois ({detail})", "hors_delai")
        flags.append(Flag("R48", "R48 : stage hors délai, remboursement admis "
                                 "(CFG_REFUND_REQUIRES_DEADLINE=false, Q7)"))
    else:
        explanations.append(Explanation(
            "R48", "R48 : stage obligatoire suivi dans le délai : amende remboursable (R20)"))

    amount: Decimal | None = None
    reason: str | None = None
    if fine is None:  # unknown is not unpaid: a question for the clerk (R45)
        reason = UNKNOWN_FINE_REASON
        explanations.append(Explanation("R45", f"R45 : {UNKNOWN_FINE_REASON}"))
        flags.append(UNKNOWN_FINE_FLAG)
    elif fine.paid_on is None:
        reason = UNPAID_REASON
        explanations.append(Explanation(
            "R45", "R45 : amende non payée : demande d'interruption de l'action en recouvrement"))
    else:
        amount = Decimal(str(fine.amount)) if fine.amount is not None else None
        explanations.append(Explanation(
            "R49", f"R49 : montant à rembourser = montant payé ({amount} €)" if amount is not None
            else "R49 : montant payé inconnu"))
        if fine.kind == "majoree":
            flags.append(Flag("R49", "R49 : amende majorée : remboursement de la majoration "
                                     "incertain (le montant payé est retenu)"))
        if amount is None:
            flags.append(Flag("R49", "R49 : montant de l'amende payée non renseigné"))

    deadline: date | None = None
    if course_last_day is not None:
        deadline, expl = refund_request_deadline(course_last_day, attestation_issued_on, cfg)
        explanations.append(expl)
        flags.append(version_date_flag(course_last_day, cfg))
    return RefundDecision(True, amount, deadline, None, reason, tuple(explanations), tuple(flags))


def version_date_flag(course_last_day: date, cfg: RulesConfig = DEFAULT_CONFIG) -> Flag:
    """R46/Q1: which R223-8 IV the refund deadline applies depends on the new text's entry into
    force, whose date (and decree) could not be confirmed: every refund deadline rests on the
    default date, so the case says which text it used and under which switch."""
    new = course_last_day >= cfg.r223_8_iv_version_date
    text = ("nouveau R223-8 IV (15 jours ouvrables)" if new
            else "ancien R223-8 IV (15 jours calendaires)")
    return Flag("R46", f"R46 : délai de demande de remboursement calculé selon le {text}, stage "
                       f"fini le {fr_date(course_last_day)} ; la date d'entrée en vigueur du "
                       "nouveau texte est incertaine (Q1, CFG_R223_8_IV_VERSION_DATE="
                       f"{cfg.r223_8_iv_version_date.isoformat()})")


# Q7: a course on time that yields 0 points only because of R25 (one course a year) stays
# eligible; any other refusal means the course earned nothing and met no obligation.
REFUSALS_KEEPING_REFUND = ("R25",)


def refund_after_credit(
    base: RefundDecision,
    credit_refusal: Explanation | None = None,
    obligation_met: bool | None = None,
    clerk_choice: str | None = None,
    clerk_motif: str | None = None,
) -> RefundDecision:
    """R48/R20 after the course's crediting: the refund follows why the credit was refused.

    ``base`` is ``refund_decision`` on the course's dates (computed with a compliant course when
    the clerk granted the refund). ``credit_refusal`` is the ledger's refusal of the course (R42,
    R34, D12/R31, a person's refusal…); ``obligation_met`` the R19 outcome after review;
    ``clerk_choice`` ("accorde" | "refuse") the clerk's explicit choice at the manual review.
    The legal bar of R45 (composition pénale) stands whatever the choice.
    """
    if not base.applicable:
        return base
    motif = f" : {clerk_motif}" if clerk_motif else ""
    if clerk_choice == "refuse":
        reason = f"remboursement refusé par l'agent à l'examen manuel{motif}"
        return RefundDecision(False, None, None, "R48", reason,
                              base.explanations + (Explanation(
                                  "R48", f"R48 : {reason}",
                                  {"cause": "refus_agent", "motif": clerk_motif}),),
                              base.flags)
    if clerk_choice == "accorde":
        if not base.eligible:
            return base
        return RefundDecision(True, base.amount, base.request_deadline, None, base.reason,
                              base.explanations + (Explanation(
                                  "R48", "R48 : remboursement accordé par l'agent à l'examen "
                                         f"manuel{motif}"),), base.flags)
    if not base.eligible:
        return base
    if credit_refusal is not None and credit_refusal.rule not in REFUSALS_KEEPING_REFUND:
        reason = (f"le stage n'a rapporté aucun point ({credit_refusal.message}) : il ne "
                  "remplit pas l'obligation et ne se substitue pas à l'amende (R19, R20)")
        return RefundDecision(False, None, None, credit_refusal.rule, reason,
                              (Explanation(credit_refusal.rule,
                                           f"{credit_refusal.rule} : {reason}",
                                           {"cause": "stage_sans_point",
                                            "refusal": credit_refusal}),), base.flags)
    if obligation_met is False:
        reason = ("obligation de stage non remplie (examen manuel) : remboursement seulement "
                  "si le stage obligatoire est conforme")
        return RefundDecision(False, None, None, "R48", reason,
                              (Explanation("R48", f"R48 : {reason}",
                                           {"cause": "obligation_non_remplie"}),), base.flags)
    return base
