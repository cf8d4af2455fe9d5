"""Impossible facts refused before anything is recorded (services/rules/facts.py): the dates of
a licence and of an infraction (item 1 of the QA pass), the amounts of R5."""

from __future__ import annotations

from datetime import date

from services.rules.facts import (
    infraction_date_problems,
    licence_problems,
    retrait_amount_problems,
)

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
