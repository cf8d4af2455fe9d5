"""Impossible facts refused before anything is recorded (services/rules/facts.py): the dates of
a licence and of an infraction (item 1 of the QA pass), the amounts of R5."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.rules.facts import (
    attestation_receipt_problems,
    cancellation_problems,
    fine_amount_problems,
    imported_balance_problems,
    infraction_date_problems,
    invalidation_problems,
    letter_problems,
    licence_problems,
    retrait_amount_problems,
)
from services.rules.ledger import LicenceFacts

TODAY = date(2026, 3, 2)


def fields(problems) -> list[str]:
    return [f for f, _m in problems]


def test_licence_obtained_in_the_future_is_refused():
    assert fields(licence_problems(date(2026, 3, 3), date(2000, 1, 1), TODAY)) == ["obtained_on"]
    assert licence_problems(TODAY, date(2000, 1, 1), TODAY) == []


def test_licence_every_date_problem_at_once():
    problems = licence_problems(date(2027, 1, 1), date(2027, 6, 1), TODAY)
    assert fields(problems) == ["obtained_on", "holder.birth_date"]
    assert "futur" in problems[0][1] and "02/03/2026" in problems[0][1]


def dates(**kw):
    base = {"obtained_on": date(2025, 9, 1), "committed_on": date(2026, 2, 1),
            "decision_on": date(2026, 2, 10), "established_on": date(2026, 2, 1),
            "paid_on": date(2026, 2, 1), "today": TODAY}
    return infraction_date_problems(**{**base, **kw})


def test_infraction_dates_that_can_be_true_pass():
    assert dates() == []
    assert dates(committed_on=date(2025, 9, 1), established_on=None, paid_on=None,
                 decision_on=date(2025, 9, 1)) == []


def test_infraction_before_the_licence_was_obtained_is_refused():
    problems = dates(committed_on=date(2025, 8, 31), established_on=None, paid_on=None)
    assert fields(problems) == ["committed_on"]
    assert "01/09/2025" in problems[0][1]


def test_infraction_in_the_future_and_fine_paid_before_it_all_reported():
    problems = dates(committed_on=date(2026, 3, 10), decision_on=date(2026, 3, 1),
                     established_on=date(2026, 3, 1), paid_on=date(2026, 3, 5))
    assert fields(problems) == ["committed_on", "decision_on", "established_on", "fine.paid_on",
                                "fine.paid_on"]


def test_fine_paid_before_the_infraction_is_refused():
    problems = dates(paid_on=date(2026, 1, 31))
    assert fields(problems) == ["fine.paid_on"]
    assert "avant l'infraction" in problems[0][1]


def test_R5_contravention_one_to_six_points():
    for points in range(1, 7):
        assert retrait_amount_problems("C4", points, TODAY, []) == []
    assert fields(retrait_amount_problems("C4", 7, TODAY, [])) == ["points"]


def test_R5_delit_is_six_points():
    assert retrait_amount_problems("delit", 6, TODAY, []) == []
    for points in (1, 3, 5):
        problems = retrait_amount_problems("delit", points, TODAY, [])
        assert fields(problems) == ["points"] and "R5" in problems[0][1]


def test_R5_simultaneous_retraits_cumulate_within_8():
    assert retrait_amount_problems("C4", 2, TODAY, [6]) == []
    problems = retrait_amount_problems("C4", 3, TODAY, [6])
    assert fields(problems) == ["points"] and "au plus 2" in problems[0][1]
    assert fields(retrait_amount_problems("delit", 6, TODAY, [4])) == ["points"]


def test_R5_delit_reduced_only_by_the_8_point_cap():
    # a délit committed with a 4-point contravention: 4 + 6 = 10, capped at 8 → 4 for the délit
    assert retrait_amount_problems("delit", 4, TODAY, [4]) == []
    assert fields(retrait_amount_problems("delit", 3, TODAY, [4])) == ["points"]


# ---- QA pass 2 (impossible facts audit): R7/R8 dates, the letter 48N, the 48SI, the attestation,
# the imported balance, the holder's age, the fine's amount ------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))


def test_R8_decision_after_today_is_refused():
    problems = dates(decision_on=date(2026, 3, 3))
    assert fields(problems) == ["decision_on"]
    assert "futur" in problems[0][1] and "02/03/2026" in problems[0][1]
    assert dates(decision_on=TODAY) == []


def test_R7_reality_established_after_today_is_refused():
    problems = dict(dates(established_on=date(2026, 3, 3), decision_on=TODAY))
    # the decision then also precedes the reality (R7/R8): both are told
    assert sorted(problems) == ["decision_on", "established_on"]
    assert "futur" in problems["established_on"]


def test_R7_R8_the_retrait_is_decided_once_the_reality_is_established():
    problems = dates(established_on=date(2026, 2, 15), decision_on=date(2026, 2, 10))
    assert fields(problems) == ["decision_on"]
    assert "15/02/2026" in problems[0][1] and "R7/R8" in problems[0][1]
    assert dates(established_on=date(2026, 2, 10), decision_on=date(2026, 2, 10)) == []


@settings(deadline=None)
@given(committed=days, established=days, decision=days, today=days)
def test_R7_R8_property_accepted_iff_commission_reality_decision_today_in_order(
        committed, established, decision, today):
    problems = infraction_date_problems(
        obtained_on=date(2020, 1, 1), committed_on=committed, decision_on=decision,
        established_on=established, paid_on=None, today=today)
    in_order = committed <= established <= decision <= today
    assert (problems == []) == in_order
    for field in {f for f, _m in problems}:
        assert field in ("committed_on", "established_on", "decision_on")


def letter(**kw):
    base = {"receipt": "signed", "sent_on": date(2026, 2, 20), "received_on": date(2026, 2, 23),
            "decision_on": date(2026, 2, 10), "today": TODAY}
    return letter_problems(**{**base, **kw})


def test_D11_R10_a_right_letter_passes():
    assert letter() == []
    assert letter(receipt="npai", received_on=None) == []


def test_D11_R10_every_problem_of_the_letter_at_once():
    # sent before the decision (R10) and after today is impossible together: here sent before
    # the decision, received before it was sent and NPAI with a date (D11)
    problems = letter(receipt="npai", sent_on=date(2026, 2, 5), received_on=date(2026, 2, 4))
    assert sorted(fields(problems)) == ["letter_48n.received_on", "letter_48n.received_on",
                                        "letter_48n.sent_on"]
    assert any("R10" in m for _f, m in problems)


def test_D11_a_letter_sent_or_received_after_today_is_refused():
    problems = letter(sent_on=date(2026, 3, 3), received_on=date(2026, 3, 4))
    assert fields(problems) == ["letter_48n.sent_on", "letter_48n.received_on"]
    assert all("futur" in m and "02/03/2026" in m for _f, m in problems)


@settings(deadline=None)
@given(decision=days, sent=days, received=days, today=days)
def test_D11_R10_property_a_signed_letter_passes_iff_its_dates_are_in_order(
        decision, sent, received, today):
    problems = letter_problems(receipt="signed", sent_on=sent, received_on=received,
                               decision_on=decision, today=today)
    assert (problems == []) == (decision <= sent <= received <= today)
    # every problem is reported: one per broken relation
    broken = [sent < decision, received < sent, sent > today, received > today]
    assert len(problems) == sum(broken)


def test_R6_invalidation_dates():
    obtained = date(2025, 9, 1)
    assert invalidation_problems(date(2026, 2, 1), date(2026, 2, 5), obtained, TODAY) == []
    assert invalidation_problems(date(2026, 2, 1), None, obtained, TODAY) == []
    problems = invalidation_problems(date(2026, 3, 5), date(2026, 3, 4), obtained, TODAY)
    assert fields(problems) == ["decision_on", "notified_on", "notified_on"]
    assert fields(invalidation_problems(date(2025, 8, 1), None, obtained, TODAY)) == [
        "decision_on"]


def test_R38_attestation_received_before_the_course_ended_or_after_today():
    issued = date(2026, 2, 21)
    assert attestation_receipt_problems(issued, issued, TODAY) == []
    problems = attestation_receipt_problems(date(2026, 2, 20), issued, TODAY)
    assert fields(problems) == ["received_on"] and "21/02/2026" in problems[0][1]
    problems = attestation_receipt_problems(date(2026, 3, 3), issued, TODAY)
    assert fields(problems) == ["received_on"] and "futur" in problems[0][1]


@settings(deadline=None)
@given(issued=days, received=days, today=days)
def test_R38_property_received_between_the_course_end_and_today(issued, received, today):
    ok = attestation_receipt_problems(received, issued, today) == []
    assert ok == (issued <= received <= today)


def probationary(obtained=date(2023, 5, 1), probation="classic"):
    return LicenceFacts(obtained_on=obtained, probation=probation)


def test_R4_imported_balance_above_the_licences_cap_is_refused():
    lic = probationary()
    # classic, obtained 01/05/2023: 6, then 8 on 01/05/2024, 10 on 01/05/2025 (R3, R4)
    assert imported_balance_problems(8, date(2024, 5, 1), TODAY, lic) == []
    problems = imported_balance_problems(9, date(2024, 5, 1), TODAY, lic)
    assert fields(problems) == ["balance.points"] and "8 points" in problems[0][1]
    assert fields(imported_balance_problems(7, date(2024, 4, 30), TODAY, lic)) == [
        "balance.points"]
    assert imported_balance_problems(12, date(2026, 5, 1), date(2026, 5, 1), lic) == []
    assert imported_balance_problems(12, TODAY, TODAY, LicenceFacts(date(2010, 1, 1), "none")) \
        == []


def test_R4_imported_balance_dated_after_today_or_before_the_licence():
    lic = probationary()
    problems = imported_balance_problems(6, date(2026, 3, 3), TODAY, lic)
    assert fields(problems) == ["balance.on"] and "futur" in problems[0][1]
    assert fields(imported_balance_problems(6, date(2023, 4, 30), TODAY, lic)) == ["balance.on"]


@settings(deadline=None)
@given(obtained=days, on=days, points=st.integers(-24, 12),
       probation=st.sampled_from(["classic", "aac", "none"]))
def test_R1_R4_property_an_imported_balance_never_exceeds_the_cap(obtained, on, points,
                                                                  probation):
    lic = LicenceFacts(obtained_on=obtained, probation=probation)
    today = date(2029, 1, 1)
    problems = imported_balance_problems(points, on, today, lic)
    if on >= obtained:
        from services.rules.ledger import replay
        assert (problems == []) == (points <= replay(lic).cap_on(on))


def test_R2_holder_younger_than_any_licence_allows_is_refused():
    # 14 years old on the day the licence was obtained: accepted (AM); 13: refused (LD15)
    assert licence_problems(date(2025, 9, 1), date(2011, 9, 1), TODAY) == []
    problems = licence_problems(date(2025, 9, 1), date(2011, 9, 2), TODAY)
    assert fields(problems) == ["holder.birth_date"] and "14 ans" in problems[0][1]


def test_R49_fine_amount_positive_and_within_its_class():
    assert fine_amount_problems(Decimal("135"), "C4") == []
    assert fine_amount_problems(None, "C4") == []
    assert fine_amount_problems(Decimal("50000"), "delit") == []
    assert fields(fine_amount_problems(Decimal("0"), "C4")) == ["fine.amount"]
    assert fields(fine_amount_problems(Decimal("-5"), "delit")) == ["fine.amount"]
    problems = fine_amount_problems(Decimal("751"), "C4")
    assert fields(problems) == ["fine.amount"]
    assert "750 €" in problems[0][1] and "751,00 €" in problems[0][1]
    assert fine_amount_problems(Decimal("3000"), "C5") == []


def test_R36_a_cancellation_dated_after_today_or_after_day_2_is_refused():
    day2 = date(2026, 3, 7)
    assert cancellation_problems(TODAY, day2, TODAY) == []
    problems = cancellation_problems(date(2026, 3, 3), day2, TODAY)
    assert fields(problems) == ["on"] and "futur" in problems[0][1]
    problems = cancellation_problems(date(2026, 3, 8), day2, date(2026, 3, 9))
    assert fields(problems) == ["on"] and "07/03/2026" in problems[0][1]


@settings(deadline=None)
@given(on=days, day2=days, today=days)
def test_R36_property_cancelled_on_a_day_past_neither_day_2_nor_today(on, day2, today):
    assert (cancellation_problems(on, day2, today) == []) == (on <= min(day2, today))


def test_R36_LD15_a_session_announced_in_advance_is_not_cancelled_before_it_was_recorded():
    day1, day2 = date(2026, 6, 5), date(2026, 6, 6)
    recorded = date(2026, 3, 2)
    problems = cancellation_problems(date(2026, 3, 1), day2, TODAY, day1, recorded)
    assert fields(problems) == ["on"] and "02/03/2026" in problems[0][1]
    assert cancellation_problems(recorded, day2, TODAY, day1, recorded) == []
    # recorded after its first day (the prefecture catching up): cancelled before, as it was
    assert cancellation_problems(date(2026, 2, 1), date(2026, 2, 21), TODAY,
                                 date(2026, 2, 20), date(2026, 3, 1)) == []


@settings(deadline=None)
@given(on=days, day1=days, today=days, recorded=days)
def test_R36_LD15_property_never_cancelled_before_an_announced_sessions_record(on, day1, today,
                                                                              recorded):
    day2 = day1 + timedelta(days=1)
    ok = on <= min(day2, today) and (recorded > day1 or on >= recorded)
    assert (cancellation_problems(on, day2, today, day1, recorded) == []) == ok


def test_Q5_a_negative_imported_balance_only_where_balances_may_be_negative():
    lic = LicenceFacts(date(2010, 1, 1), "none")
    assert imported_balance_problems(-2, TODAY, TODAY, lic) == []
    problems = imported_balance_problems(-2, TODAY, TODAY, lic, negative_balance=False)
    assert fields(problems) == ["balance.points"] and "CFG_NEGATIVE_BALANCE" in problems[0][1]
    assert imported_balance_problems(0, TODAY, TODAY, lic, negative_balance=False) == []
