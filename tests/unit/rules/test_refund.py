"""Refund of the fine: R20, R45–R49, D6, Q7."""

from datetime import date
from decimal import Decimal

from services.rules.config import RulesConfig
from services.rules.eligibility import compliance
from services.rules.refund import FineFacts, refund_decision

D = date
ON_TIME = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 6, 5), D(2026, 6, 6))
LATE = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 10), D(2026, 7, 11))
PAID = FineFacts(135, "forfaitaire", D(2026, 3, 1))


def test_R48_R49_D6_paid_fine_refund_outcome():
    r = refund_decision("obligatoire", PAID, ON_TIME, D(2026, 6, 6), D(2026, 6, 6))
    assert r.to_outcome() == {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
    assert r.amount == Decimal("135")
    assert {e.rule for e in r.explanations} >= {"R48", "R49", "R46"}


def test_R45_composition_penale_not_refundable():
    fine = FineFacts(135, "composition_penale", D(2026, 3, 1))
    out = refund_decision("obligatoire", fine, ON_TIME, D(2026, 6, 6), None).to_outcome()
    assert out["eligible"] is False and out["rule"] == "R45"
    assert "composition pénale" in out["reason"]


def test_R48_late_course_not_refundable():
    r = refund_decision("obligatoire", PAID, LATE, D(2026, 7, 11), None)
    out = r.to_outcome()
    assert out["eligible"] is False and out["rule"] == "R48"
    assert [f.rule for f in r.flags] == ["R48"]
    assert "11/07/2026" in out["reason"]


def test_R48_no_compliant_course_not_refundable():
    out = refund_decision("obligatoire", PAID, None, None, None).to_outcome()
    assert out == {"eligible": False, "rule": "R48",
                   "reason": out["reason"]} and "quatre mois" in out["reason"]


def test_R48_Q7_switch_off_late_course_refundable_with_flag():
    cfg = RulesConfig(refund_requires_deadline=False)
    r = refund_decision("obligatoire", PAID, LATE, D(2026, 7, 11), None, cfg)
    assert r.eligible and [f.rule for f in r.flags] == ["R48", "R46"]  # R46: Q1


def test_R22_Q7_on_time_course_with_zero_points_still_refundable():
    # compliance does not depend on the points credited (R25 refusal)
    assert refund_decision("obligatoire", PAID, ON_TIME, D(2026, 6, 6), None).eligible


def test_R49_majoree_amount_paid_with_flag():
    fine = FineFacts(Decimal("375"), "majoree", D(2026, 3, 1))
    r = refund_decision("obligatoire", fine, ON_TIME, D(2026, 6, 6), None)
    assert r.to_outcome()["amount"] == 375 and [f.rule for f in r.flags] == ["R49", "R46"]
    fine = FineFacts(Decimal("22.50"), "forfaitaire", D(2026, 3, 1))
    assert refund_decision("obligatoire", fine, ON_TIME, D(2026, 6, 6), None).to_outcome()[
        "amount"] == 22.5


def test_R45_unpaid_fine_interruption_of_recovery():
    fine = FineFacts(135, "forfaitaire", None)
    r = refund_decision("obligatoire", fine, ON_TIME, D(2026, 6, 6), None)
    out = r.to_outcome()
    assert out["eligible"] is True and out["amount"] is None
    assert out["reason"] == "interruption de l'action en recouvrement"
    assert out["request_deadline"] == "2026-06-24"


def test_R46_D6_old_text_for_course_before_version_date():
    r = refund_decision("obligatoire", PAID, ON_TIME, D(2026, 2, 28), None)
    assert r.request_deadline == D(2026, 3, 15)


def test_R20_voluntary_course_has_no_refund():
    r = refund_decision("volontaire", PAID, ON_TIME, D(2026, 6, 6), None)
    assert r.to_outcome() is None and not r.eligible


def test_R50_software_only_records_eligibility():
    r = refund_decision("obligatoire", PAID, ON_TIME, D(2026, 6, 6), None)
    assert set(r.to_outcome()) == {"eligible", "amount", "request_deadline"}


# --- R48 after the crediting decision (issue 16 items 2 and 3) ---------------------------------

def _eligible():
    from services.rules.eligibility import compliance
    from services.rules.refund import FineFacts, refund_decision
    ok = compliance(date(2026, 3, 10), date(2026, 7, 10), date(2026, 6, 5), date(2026, 6, 6))
    return refund_decision("obligatoire", FineFacts(135, "forfaitaire", date(2026, 2, 1)), ok,
                           date(2026, 6, 6), date(2026, 6, 6))


def test_R48_R42_refund_follows_why_the_credit_was_refused():
    from services.rules.explain import Explanation
    from services.rules.refund import refund_after_credit
    d = refund_after_credit(_eligible(), Explanation("R42", "R42 : invalidation notifiée"))
    assert not d.eligible and d.rule == "R42"


def test_R48_Q7_zero_points_for_R25_keeps_the_refund():
    from services.rules.explain import Explanation
    from services.rules.refund import refund_after_credit
    d = refund_after_credit(_eligible(), Explanation("R25", "R25 : un stage par an"))
    assert d.eligible


def test_R48_clerk_choice_and_obligation_not_met():
    from services.rules.refund import refund_after_credit
    assert not refund_after_credit(_eligible(), obligation_met=False).eligible
    d = refund_after_credit(_eligible(), clerk_choice="refuse", clerk_motif="NPAI")
    assert not d.eligible and d.rule == "R48" and "NPAI" in d.reason
    assert refund_after_credit(_eligible(), clerk_choice="accorde").eligible


def test_R45_unknown_fine_is_not_unpaid_flag_and_question():
    from services.rules.refund import UNKNOWN_FINE_REASON, UNPAID_REASON
    ok = compliance(date(2026, 3, 10), date(2026, 7, 10), date(2026, 6, 5), date(2026, 6, 6))
    d = refund_decision("obligatoire", None, ok, date(2026, 6, 6), date(2026, 6, 6))
    assert d.eligible and d.reason == UNKNOWN_FINE_REASON and d.reason != UNPAID_REASON
    assert [f.rule for f in d.flags] == ["R45", "R46"]  # R46: Q1
    unpaid = refund_decision("obligatoire", FineFacts(135, "forfaitaire", None), ok,
                             date(2026, 6, 6), date(2026, 6, 6))
    assert unpaid.reason == UNPAID_REASON and [f.rule for f in unpaid.flags] == ["R46"]  # no R45
