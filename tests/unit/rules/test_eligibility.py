"""Mandatory course: R10/R11/R15/R16 trigger, R17–R19 compliance, R21, R32/R41, R34."""

from datetime import date

import pytest

from services.rules.config import RulesConfig
from services.rules.eligibility import (
    attestation_issued,
    compliance,
    enrollment_flags,
    referral,
    session_size_flags,
    triggers_48n,
)
from services.rules.ledger import LicenceFacts, Retrait, replay

D = date
PROB = LicenceFacts(D(2025, 9, 1), "classic")


def infraction(points, committed=None, decided=None, ref="n"):
    return Retrait(ref, committed or D(2026, 3, 1), points, decided or D(2026, 4, 1))


# --- R15, R16, R11, R10 ----------------------------------------------------------------------

def test_R15_three_points_triggers_48n():
    d = triggers_48n(PROB, infraction(3))
    assert d.ok and d.rules == ("R16", "R15", "R10")
    assert "6 − 3 = 3 > 0" in d.text


def test_R15_two_points_does_not_trigger():
    d = triggers_48n(PROB, infraction(2))
    assert not d.ok and "R15" in d.rules and "< 3" in d.text


def test_R15_six_point_delit_in_year_2_on_8_points_triggers():
    lic = LicenceFacts(D(2025, 1, 10), "classic")
    d = triggers_48n(lic, infraction(6, D(2026, 3, 1), D(2026, 4, 1)))
    assert d.ok and "8 − 6 = 2" in d.text


def test_R11_six_points_on_a_6_point_licence_is_48si_not_48n():
    d = triggers_48n(PROB, infraction(6))
    assert not d.ok and d.rules[-1] == "R11" and "48SI" in d.text


def test_R16_non_probationary_never_triggers():
    d = triggers_48n(LicenceFacts(D(2015, 1, 1), "none"), infraction(4))
    assert not d.ok and d.rules == ("R16",)


def test_R16_probation_status_at_commission_date():
    lic = LicenceFacts(D(2023, 5, 1), "classic")
    # committed the last day of probation, decided after it: still a 48N
    d = triggers_48n(lic, infraction(3, D(2026, 4, 30), D(2026, 6, 1)))
    assert d.ok
    d = triggers_48n(lic, infraction(3, D(2026, 5, 1), D(2026, 6, 1)))
    assert not d.ok and "hors délai probatoire" in d.text


def test_R15_Q10_simultaneous_2_plus_2_default_no_trigger_with_flag():
    others = [infraction(2, ref="o")]
    d = triggers_48n(PROB, infraction(2), same_day_others=others)
    assert not d.ok and [f.rule for f in d.flags] == ["R15"]


def test_R15_Q10_simultaneous_2_plus_2_with_cumul_switch_triggers():
    cfg = RulesConfig(simultaneous_cumul=True)
    d = triggers_48n(PROB, infraction(2), same_day_others=[infraction(2, ref="o")], cfg=cfg)
    assert d.ok and [f.rule for f in d.flags] == ["R15"]
    assert "6 − 4 = 2" in d.text


def test_R15_separate_2_plus_1_does_not_trigger():
    other = infraction(1, committed=D(2026, 2, 1), ref="o")
    d = triggers_48n(PROB, infraction(2), same_day_others=[other],
                     cfg=RulesConfig(simultaneous_cumul=True))
    assert not d.ok and d.flags == ()


def test_R11_uses_ledger_before_and_does_not_deduct_twice():
    first = infraction(2, D(2026, 1, 5), D(2026, 2, 1), ref="a")
    before = replay(PROB, [first])
    d = triggers_48n(PROB, infraction(3), before)
    assert d.ok and "4 − 3 = 1" in d.text
    d = triggers_48n(PROB, infraction(4), before)
    assert not d.ok and "R11" in d.rules
    new = infraction(3)
    with_new = replay(PROB, [first, new])
    assert triggers_48n(PROB, new, with_new).ok


# --- R17, R18, R19 -------------------------------------------------------------------------------

def test_R19_course_ending_on_deadline_day_is_compliant():
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 9), D(2026, 7, 10))
    assert d.ok and d.flags == ()


def test_R19_course_ending_day_after_deadline_not_compliant():
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 10), D(2026, 7, 11))
    assert not d.ok
    assert "R19 : le stage se termine le 11/07/2026, après l'échéance du 10/07/2026" in d.text
    assert [f.rule for f in d.flags] == ["R19"]  # straddling: uncertain (Q3)


def test_R19_Q3_first_day_variant():
    cfg = RulesConfig(deadline_test="FIRST_DAY")
    assert compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 10), D(2026, 7, 11), cfg).ok
    assert not compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 11), D(2026, 7, 12),
                          cfg).ok


def test_R19_D1_deadline_computed_when_missing():
    assert compliance(D(2026, 3, 10), None, D(2026, 7, 9), D(2026, 7, 10)).ok
    assert not compliance(D(2026, 3, 10), None, D(2026, 7, 10), D(2026, 7, 11)).ok


def test_R18_course_before_receipt_does_not_discharge():
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 3, 6), D(2026, 3, 7))
    assert not d.ok and "R18" in d.rules and [f.rule for f in d.flags] == ["R18"]


def test_R18_Q6_switch_lets_earlier_course_discharge():
    cfg = RulesConfig(pre_48n_course_discharges=True)
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 3, 6), D(2026, 3, 7), cfg)
    assert d.ok and [f.rule for f in d.flags] == ["R18"]


def test_R18_course_starting_on_receipt_day_is_fine():
    assert compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 3, 10), D(2026, 3, 11)).ok


def test_R17_npai_course_goes_to_manual_review():
    d = compliance(None, None, D(2026, 6, 5), D(2026, 6, 6))
    assert d.ok and d.needs_review and d.flags[0].rule == "R17"


def test_R19_enrollment_flags():
    flags = enrollment_flags(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 10), D(2026, 7, 11))
    assert [f.rule for f in flags] == ["R19"]
    assert enrollment_flags(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 9), D(2026, 7, 10)) == ()
    flags = enrollment_flags(D(2026, 3, 10), None, D(2026, 3, 6), D(2026, 3, 7))
    assert [f.rule for f in flags] == ["R18"]
    flags = enrollment_flags(None, None, D(2026, 3, 6), D(2026, 3, 7))
    assert flags[0].rule == "R17" and flags[0].review


# --- R21 -----------------------------------------------------------------------------------------

def test_R21_referral_candidate_only_after_deadline():
    assert not referral(D(2026, 7, 10), D(2026, 7, 10), False).ok
    assert referral(D(2026, 7, 10), D(2026, 7, 11), False).ok
    assert not referral(D(2026, 7, 10), D(2026, 7, 11), True).ok
    assert not referral(None, D(2026, 11, 23), False).ok


# --- R32, R41, Q11 -------------------------------------------------------------------------------

@pytest.mark.parametrize("count,driving,flagged", [
    (5, False, True), (6, False, False), (20, False, False), (21, False, True),
    (12, True, False), (13, True, True), (0, False, True),
])
def test_R32_R41_session_size_flags(count, driving, flagged):
    flags = session_size_flags(count, driving)
    assert bool(flags) == flagged
    if flagged:
        assert flags[0].rule == "R32" and flags[0].review


# --- R34 -----------------------------------------------------------------------------------------

def test_R34_attestation_only_when_present_both_days():
    assert attestation_issued("present", "present").ok
    d = attestation_issued("present", "absent")
    assert not d.ok and d.rules == ("R34",) and "jour 2 : absent" in d.text
    d = attestation_issued("late", "present")
    assert not d.ok and "retard" in d.text
    with pytest.raises(ValueError):
        attestation_issued("sick", "present")


def test_R10_48n_explanation_names_the_four_month_obligation():
    d = triggers_48n(PROB, infraction(4))
    assert d.ok and d.explanations[-1].rule == "R10"
    assert "quatre mois" in d.explanations[-1].message


# --- R15 judged on the ledger including the new retrait (R3/Q9, issue 16 item 1) --------------

def test_R15_Q9_delit_before_first_anniversary_blocks_increment_48si():
    lic = LicenceFacts(D(2024, 9, 1), "classic")
    d = triggers_48n(lic, infraction(6, D(2025, 8, 20), D(2025, 9, 15)))
    assert not d.ok and d.rules[-1] == "R11" and "6 − 6 = 0" in d.text
    assert "R3" in [f.rule for f in d.flags]


def test_R15_Q9_three_points_before_anniversary_gives_balance_3():
    lic = LicenceFacts(D(2024, 9, 1), "classic")
    d = triggers_48n(lic, infraction(3, D(2025, 8, 20), D(2025, 9, 15)))
    assert d.ok and "6 − 3 = 3 > 0" in d.text and "8 − 3" not in d.text


def test_R15_ledger_after_given_by_caller_is_used():
    lic = LicenceFacts(D(2024, 9, 1), "classic")
    new = infraction(6, D(2025, 8, 20), D(2025, 9, 15))
    d = triggers_48n(lic, new, replay(lic), ledger_after=replay(lic, [new]))
    assert not d.ok and "R11" in d.rules


# --- R19 after a manual review (issue 16 item 3) -----------------------------------------------

def test_R19_course_refused_at_review_does_not_meet_obligation():
    from services.rules.eligibility import compliance, obligation_after_review
    ok = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 6, 5), D(2026, 6, 6))
    assert ok.ok
    assert not obligation_after_review(False, ok).ok
    assert obligation_after_review(True, ok).ok


def test_R19_clerk_choice_decides_the_obligation():
    from services.rules.eligibility import compliance, obligation_after_review
    npai = compliance(None, None, D(2027, 1, 8), D(2027, 1, 9))
    assert obligation_after_review(True, npai, "non_remplie").ok is False
    d = obligation_after_review(False, npai, "remplie")
    assert d.ok and "décision de l'agent" in d.text
