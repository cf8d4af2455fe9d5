"""Date decisions D1–D12 of DOMAIN.md §2."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.rules.calendar import add_months, is_public_holiday, is_sunday
from services.rules.config import RulesConfig
from services.rules.dates import (
    centre_transmission_deadline,
    course_days_problems,
    credit_due_on,
    credit_due_on_explained,
    deadline_4_months,
    deadline_4_months_explained,
    dematerialised_notification_date,
    effect_date,
    effect_date_explained,
    in_probation,
    next_course_allowed_on,
    notification_date,
    one_year_after,
    probation_anniversaries,
    probation_end,
    recovery_window_end,
    refund_complement_deadline,
    refund_request_deadline,
    restoration_date,
)

D = date
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@pytest.mark.parametrize("receipt,deadline", [
    (D(2026, 3, 10), D(2026, 7, 10)),
    (D(2025, 10, 31), D(2026, 2, 28)),
    (D(2027, 10, 31), D(2028, 2, 29)),
    (D(2026, 5, 31), D(2026, 9, 30)),
    (D(2026, 6, 30), D(2026, 10, 30)),
])
def test_D1_R17_deadline_examples(receipt, deadline):
    assert deadline_4_months(receipt) == deadline


def test_D1_month_end_clamp_31_october():
    d, expl = deadline_4_months_explained(D(2025, 10, 31))
    assert d == D(2026, 2, 28)
    assert expl.rule == "D1" and "dernier jour du mois" in expl.message
    assert "28/02/2026" in expl.message


def test_D1_29_february_2028():
    assert deadline_4_months(D(2027, 10, 31)) == D(2028, 2, 29)


def test_D1_Q4_no_extension_by_default_on_saturday():
    # 11/03/2026 + 4 months = Saturday 11/07/2026
    assert deadline_4_months(D(2026, 3, 11)) == D(2026, 7, 11)


def test_D1_Q4_extension_to_next_working_day_when_switched_on():
    cfg = RulesConfig(extend_to_next_working_day=True)
    assert deadline_4_months(D(2026, 3, 11), cfg) == D(2026, 7, 13)  # Sat → Mon
    assert deadline_4_months(D(2026, 3, 12), cfg) == D(2026, 7, 13)  # Sun → Mon
    assert deadline_4_months(D(2026, 3, 14), cfg) == D(2026, 7, 15)  # 14 July → 15
    d, expl = deadline_4_months_explained(D(2026, 3, 14), cfg)
    assert "CFG_EXTEND_TO_NEXT_WORKING_DAY" in expl.message
    assert deadline_4_months(D(2026, 3, 10), cfg) == D(2026, 7, 10)  # a Friday


@settings(deadline=None)
@given(dates)
def test_D1_property_deadline_bounds(receipt):
    deadline = deadline_4_months(receipt)
    assert receipt < deadline <= add_months(receipt, 4)
    assert deadline <= receipt + timedelta(days=123)
    try:
        same_day = receipt.replace(year=receipt.year + (receipt.month + 3) // 12,
                                   month=(receipt.month + 3) % 12 + 1)
    except ValueError:
        same_day = None
    if same_day is not None:
        assert deadline == same_day
    else:
        assert deadline.day < receipt.day
        assert (deadline + timedelta(days=1)).day == 1


@settings(deadline=None)
@given(dates)
def test_D1_Q4_property_extension_lands_on_working_day(receipt):
    cfg = RulesConfig(extend_to_next_working_day=True)
    d = deadline_4_months(receipt, cfg)
    base = deadline_4_months(receipt)
    assert base <= d <= base + timedelta(days=5)
    assert d.weekday() < 5 and not is_public_holiday(d)


@pytest.mark.parametrize("prev,allowed_from", [
    (D(2025, 9, 2), D(2026, 9, 2)),
    (D(2025, 10, 1), D(2026, 10, 1)),
    (D(2024, 2, 29), D(2025, 2, 28)),
])
def test_D2_R25_one_year_same_date(prev, allowed_from):
    assert next_course_allowed_on(prev) == allowed_from


def test_D2_R25_plus_one_day_variant():
    cfg = RulesConfig(one_year_rule="PLUS_ONE_DAY")
    assert next_course_allowed_on(D(2025, 9, 2), cfg) == D(2026, 9, 3)
    assert next_course_allowed_on(D(2024, 2, 29), cfg) == D(2025, 3, 1)


@pytest.mark.parametrize("last,effect", [
    (D(2026, 6, 6), D(2026, 6, 7)),
    (D(2026, 12, 31), D(2027, 1, 1)),
    (D(2028, 2, 28), D(2028, 2, 29)),
    (D(2026, 2, 28), D(2026, 3, 1)),
])
def test_D3_R27_effect_date_examples(last, effect):
    assert effect_date(last) == effect


def test_D3_R27_effect_date_explained():
    d, expl = effect_date_explained(D(2026, 6, 6))
    assert d == D(2026, 6, 7) and expl.rule == "R27" and "07/06/2026" in expl.message


@settings(deadline=None)
@given(dates)
def test_D3_property_effect_is_always_next_day(d):
    assert effect_date(d) == d + timedelta(days=1)


def test_D4_R39_one_calendar_month_not_30_days():
    assert credit_due_on(D(2026, 1, 31)) == D(2026, 2, 28)
    assert D(2026, 1, 31) + timedelta(days=30) == D(2026, 3, 2)
    assert credit_due_on(D(2026, 6, 15)) == D(2026, 7, 15)
    d, expl = credit_due_on_explained(D(2026, 6, 15))
    assert expl.rule == "R39" and "délai d'un mois (R223-8 III)" in expl.message


def test_D5_R38_centre_transmission_15_calendar_days():
    assert centre_transmission_deadline(D(2026, 6, 6)) == D(2026, 6, 21)
    assert is_sunday(D(2026, 6, 21))  # no extension


def test_D6_R46_refund_deadline_new_text_examples():
    assert refund_request_deadline(D(2026, 6, 6))[0] == D(2026, 6, 24)
    assert refund_request_deadline(D(2026, 5, 13))[0] == D(2026, 6, 2)
    deadline, expl = refund_request_deadline(D(2026, 6, 6))
    assert expl.rule == "R46" and "15 jours ouvrables" in expl.message


def test_D6_R46_refund_deadline_28_february_under_each_text():
    # before CFG_R223_8_IV_VERSION_DATE (2026-04-01): former text, 15 calendar days
    deadline, expl = refund_request_deadline(D(2026, 2, 28))
    assert deadline == D(2026, 3, 15) and "ancien" in expl.message
    # the DOMAIN example (new text) with an earlier version date
    cfg = RulesConfig(r223_8_iv_version_date=D(2026, 1, 1))
    assert refund_request_deadline(D(2026, 2, 28), cfg=cfg)[0] == D(2026, 3, 18)


def test_D6_R46_version_date_boundary():
    assert "ouvrables" in refund_request_deadline(D(2026, 4, 1))[1].message
    assert "ancien" in refund_request_deadline(D(2026, 3, 31))[1].message


def test_D6_R46_later_attestation_date_counts():
    deadline, expl = refund_request_deadline(D(2026, 6, 6), D(2026, 6, 10))
    assert deadline == D(2026, 6, 27)  # 10/06 + 15 jours ouvrables
    assert "attestation délivrée le 10/06/2026" in expl.message
    assert refund_request_deadline(D(2026, 6, 6), D(2026, 6, 6))[0] == D(2026, 6, 24)


def test_D6_R46_complement_30_jours_ouvrables():
    assert refund_complement_deadline(D(2026, 6, 1)) == D(2026, 7, 6)  # 4 Sundays skipped


@pytest.mark.parametrize("probation,fc,end", [
    ("classic", False, D(2026, 5, 1)),
    ("aac", False, D(2025, 5, 1)),
    ("classic", True, D(2025, 5, 1)),
    ("aac", True, D(2024, 11, 1)),
    ("none", False, None),
])
def test_D7_R2_probation_end(probation, fc, end):
    assert probation_end(D(2023, 5, 1), probation, fc) == end


def test_D7_R3_anniversaries_classic_example():
    assert probation_anniversaries(D(2023, 5, 1), "classic") == [
        (D(2024, 5, 1), 2), (D(2025, 5, 1), 2), (D(2026, 5, 1), 2)]


def test_D7_R3_anniversaries_aac_and_fc_variants():
    assert probation_anniversaries(D(2023, 5, 1), "aac") == [(D(2024, 5, 1), 3), (D(2025, 5, 1), 3)]
    assert probation_anniversaries(D(2023, 5, 1), "classic", True) == [
        (D(2024, 5, 1), 2), (D(2025, 5, 1), 4)]
    assert probation_anniversaries(D(2023, 5, 1), "aac", True) == [
        (D(2024, 5, 1), 3), (D(2024, 11, 1), 3)]
    assert probation_anniversaries(D(2023, 5, 1), "none") == []
    for probation in ("classic", "aac"):
        for fc in (False, True):
            steps = probation_anniversaries(D(2023, 5, 1), probation, fc)
            assert 6 + sum(n for _, n in steps) == 12


def test_D7_Q16_obtained_on_29_february():
    assert probation_end(D(2024, 2, 29), "classic") == D(2027, 2, 28)
    assert probation_anniversaries(D(2024, 2, 29), "classic")[0] == (D(2025, 2, 28), 2)
    assert probation_anniversaries(D(2024, 2, 29), "aac")[1] == (D(2026, 2, 28), 3)
    assert probation_end(D(2024, 2, 29), "aac", True) == D(2025, 8, 29)


def test_D7_in_probation_boundary():
    assert in_probation(D(2023, 5, 1), "classic", False, D(2026, 4, 30))
    assert not in_probation(D(2023, 5, 1), "classic", False, D(2026, 5, 1))
    assert in_probation(D(2023, 5, 1), "classic", False, D(2023, 5, 1))
    assert not in_probation(D(2023, 5, 1), "classic", False, D(2023, 4, 30))
    assert not in_probation(D(2023, 5, 1), "none", False, D(2024, 1, 1))
    with pytest.raises(ValueError):
        probation_end(D(2023, 5, 1), "weird")


def test_D8_recovery_windows():
    assert recovery_window_end(D(2026, 1, 10), "6m") == D(2026, 7, 10)
    assert restoration_date(D(2026, 1, 10), "6m") == D(2026, 7, 11)
    assert recovery_window_end(D(2026, 1, 10), "2y") == D(2028, 1, 10)
    assert recovery_window_end(D(2026, 1, 10), "3y") == D(2029, 1, 10)
    assert recovery_window_end(D(2026, 1, 10), "10y") == D(2036, 1, 10)
    with pytest.raises(ValueError):
        recovery_window_end(D(2026, 1, 10), "5y")


def test_D10_one_year_is_not_11_months_plus_30_days():
    assert add_months(D(2025, 10, 3), 11) + timedelta(days=30) == D(2026, 10, 3)
    assert one_year_after(D(2025, 10, 3)) == D(2026, 10, 3)
    assert add_months(D(2025, 9, 2), 11) + timedelta(days=30) == D(2026, 9, 1)
    assert one_year_after(D(2025, 9, 2)) == D(2026, 9, 2)
    assert one_year_after(D(2024, 1, 1)) != D(2024, 1, 1) + timedelta(days=365)


def test_D11_R17_signed_receipt():
    assert notification_date("signed", D(2026, 3, 10)) == (D(2026, 3, 10), ())


def test_D11_R17_Q12_unclaimed_is_first_presentation_with_flag():
    d, flags = notification_date("unclaimed", D(2026, 3, 9))
    assert d == D(2026, 3, 9)
    assert [f.rule for f in flags] == ["R17"] and not flags[0].review
    d, flags = notification_date("unclaimed", D(2026, 3, 9),
                                 RulesConfig(unclaimed_ar_is_notified=False))
    assert d is None and flags[0].review


def test_D11_R17_npai_not_notified_and_review():
    d, flags = notification_date("npai", None)
    assert d is None
    assert flags[0].rule == "R17" and flags[0].review
    assert "NPAI" in flags[0].message


def test_D11_dematerialised():
    assert notification_date("dematerialised", D(2026, 3, 1))[0] == D(2026, 3, 1)
    assert dematerialised_notification_date(D(2026, 3, 1)) == D(2026, 3, 16)
    assert dematerialised_notification_date(D(2026, 3, 1), D(2026, 3, 4)) == D(2026, 3, 4)
    assert dematerialised_notification_date(D(2026, 3, 1), D(2026, 3, 20)) == D(2026, 3, 16)
    with pytest.raises(ValueError):
        notification_date("signed", None)
    with pytest.raises(ValueError):
        notification_date("pigeon", D(2026, 3, 1))


def test_D12_R31_saturday_and_sunday_rejected():
    problems = course_days_problems(D(2026, 3, 7), D(2026, 3, 8))
    assert [p.rule for p in problems] == ["R31"]
    assert "dimanche" in problems[0].message


def test_D12_non_consecutive_days_rejected():
    problems = course_days_problems(D(2026, 4, 11), D(2026, 4, 13))
    assert problems[0].rule == "D12" and "consécutives" in problems[0].message


def test_D12_R31_ascension_2026_rejected():
    problems = course_days_problems(D(2026, 5, 14), D(2026, 5, 15))
    assert len(problems) == 1 and "Ascension" in problems[0].message
    problems = course_days_problems(D(2026, 5, 13), D(2026, 5, 14))
    assert "Ascension" in problems[0].message and "second" in problems[0].message


def test_D12_R31_whit_monday_2027_and_ascension_2030_rejected():
    assert "lundi de Pentecôte" in course_days_problems(D(2027, 5, 17), D(2027, 5, 18))[0].message
    assert "Ascension" in course_days_problems(D(2030, 5, 29), D(2030, 5, 30))[0].message
    assert "lundi de Pâques" in course_days_problems(D(2028, 4, 17), D(2028, 4, 18))[0].message


def test_D12_valid_friday_saturday():
    assert course_days_problems(D(2026, 6, 5), D(2026, 6, 6)) == []


def test_R40_effect_date_does_not_depend_on_attestation_receipt():
    # the prefecture receives the attestation late: the credit still takes effect on day2 + 1
    last_day, received = D(2026, 6, 6), D(2026, 8, 1)
    assert effect_date(last_day) == D(2026, 6, 7)
    assert credit_due_on(received) == D(2026, 9, 1)


def test_R9_D11_dematerialised_letter_deemed_notified():
    assert dematerialised_notification_date(D(2026, 3, 1)) == D(2026, 3, 16)
