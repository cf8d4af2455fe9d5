"""The points ledger (R1–R4, R6, R8, R24–R28, R34, R42, R43, R51–R54, D7–D9, Q5, Q9, Q15)."""

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.rules.config import DEFAULT_CONFIG, RulesConfig
from services.rules.explain import Explanation
from services.rules.ledger import (
    CourseFacts,
    InvalidationFacts,
    LicenceFacts,
    Retrait,
    replay,
)

D = date
FULL = LicenceFacts(obtained_on=D(2015, 1, 1), probation="none")


JAN_2026 = D(2026, 1, 1)


def imported(points, on=JAN_2026):
    return LicenceFacts(obtained_on=D(2015, 1, 1), probation="none", imported_points=points,
                        imported_on=on)


def course(ref, day1, **kw):
    return CourseFacts(ref, day1, day1 + timedelta(days=1), **kw)


# --- R1, R2, R44: starting balance ---------------------------------------------------------------

def test_R1_R2_starting_balance_6_or_12():
    prob = replay(LicenceFacts(D(2025, 9, 1), "classic"))
    assert prob.balance_on(D(2025, 9, 1)) == 6
    assert prob.balance_on(D(2025, 8, 31)) == 0
    assert prob.movements[0].kind == "solde" and prob.movements[0].points == 6
    assert replay(FULL).balance_on(D(2026, 1, 1)) == 12
    assert replay(FULL).cap_on(D(2026, 1, 1)) == 12


def test_R44_imported_balance_replaces_history_on_its_date():
    lg = replay(imported(7))
    assert lg.balance_on(D(2026, 1, 1)) == 7
    assert lg.balance_on(D(2025, 12, 31)) == 12
    solde = [m for m in lg.movements if m.kind == "solde"]
    assert solde[-1].points == 7 and solde[-1].effective_on == D(2026, 1, 1)
    assert solde[-1].explanation.rule == "R44"


# --- R3, R4, D7, Q9, Q15: probation increments and cap -------------------------------------------

def test_R3_R4_classic_caps_6_8_10_then_12():
    lg = replay(LicenceFacts(D(2023, 5, 1), "classic"))
    assert [lg.cap_on(d) for d in (D(2024, 4, 30), D(2024, 5, 1), D(2025, 5, 1), D(2026, 4, 30),
                                   D(2026, 5, 1))] == [6, 8, 10, 10, 12]
    assert [lg.balance_on(d) for d in (D(2024, 4, 30), D(2024, 5, 1), D(2025, 5, 1),
                                       D(2026, 5, 1))] == [6, 8, 10, 12]
    assert [m.points for m in lg.movements if m.kind == "majoration"] == [2, 2, 2]


def test_R3_R4_aac_caps_6_9_then_12():
    lg = replay(LicenceFacts(D(2024, 1, 10), "aac"))
    assert [lg.cap_on(d) for d in (D(2025, 1, 9), D(2025, 1, 10), D(2026, 1, 9),
                                   D(2026, 1, 10))] == [6, 9, 9, 12]
    assert lg.balance_on(D(2026, 1, 10)) == 12


def test_R3_formation_complementaire_classic_and_aac():
    lg = replay(LicenceFacts(D(2023, 5, 1), "classic", formation_complementaire=True))
    assert lg.balance_on(D(2024, 5, 1)) == 8 and lg.balance_on(D(2025, 5, 1)) == 12
    assert lg.cap_on(D(2025, 4, 30)) == 8 and lg.cap_on(D(2025, 5, 1)) == 12
    lg = replay(LicenceFacts(D(2023, 5, 1), "aac", formation_complementaire=True))
    assert lg.balance_on(D(2024, 5, 1)) == 9 and lg.balance_on(D(2024, 11, 1)) == 12
    assert lg.probation_end == D(2024, 11, 1)


def test_R3_increments_stopped_by_an_infraction():
    retrait = Retrait("i1", D(2026, 3, 1), 3, D(2026, 4, 1))
    lg = replay(LicenceFacts(D(2025, 9, 1), "classic"), [retrait])
    assert lg.balance_on(D(2026, 4, 1)) == 3
    assert lg.balance_on(D(2027, 9, 1)) == 3  # no +2 at year 1 or 2
    assert lg.cap_on(D(2027, 9, 1)) == 6
    assert not any(m.kind == "majoration" for m in lg.movements)
    assert any(n.rule == "R3" for n in lg.notes)


def test_R3_Q9_infraction_committed_before_anniversary_decided_after_blocks_it():
    retrait = Retrait("i1", D(2026, 8, 15), 3, D(2026, 10, 1))
    lg = replay(LicenceFacts(D(2025, 9, 1), "classic"), [retrait])
    assert lg.balance_on(D(2026, 9, 1)) == 6  # increment withdrawn by the re-computation
    assert lg.cap_on(D(2026, 9, 1)) == 6
    assert lg.balance_on(D(2026, 10, 1)) == 3
    assert lg.flags(D(2026, 9, 30)) == ()
    assert [f.rule for f in lg.flags(D(2026, 10, 1))] == ["R3"]


def test_R3_Q9_infraction_committed_on_the_anniversary_does_not_block_it():
    retrait = Retrait("i1", D(2026, 9, 1), 3, D(2026, 10, 1))
    lg = replay(LicenceFacts(D(2025, 9, 1), "classic"), [retrait])
    assert lg.balance_on(D(2026, 9, 1)) == 8
    assert lg.balance_on(D(2026, 10, 1)) == 5
    assert lg.cap_on(D(2027, 9, 1)) == 8  # year-2 increment blocked


def test_R4_Q15_cap_12_after_probation_but_balance_not_raised():
    retrait = Retrait("i1", D(2024, 3, 1), 3, D(2024, 4, 1))
    lic = LicenceFacts(D(2023, 5, 1), "classic")
    lg = replay(lic, [retrait], [course("s1", D(2026, 6, 5))])
    assert lg.balance_on(D(2026, 5, 1)) == 3
    assert lg.cap_on(D(2026, 5, 1)) == 12
    assert lg.course("s1").points == 4 and lg.course("s1").balance_after == 7
    assert [f.rule for f in lg.course("s1").flags] == ["R4"]


def test_R4_probation_cap_limits_credit():
    retrait = Retrait("i1", D(2026, 3, 1), 3, D(2026, 4, 1))
    lg = replay(LicenceFacts(D(2025, 9, 1), "classic"), [retrait], [course("s1", D(2026, 6, 5))])
    credit = lg.course("s1")
    assert credit.points == 3 and credit.balance_after == 6
    assert "R26 : min(4, 6 − 3) = 3 points crédités" in credit.explanations[-1].message


# --- R8, R43, D9: effective dates and order -------------------------------------------------------

def test_R8_retrait_effective_on_decision_date():
    lg = replay(FULL, [Retrait("i1", D(2026, 1, 5), 4, D(2026, 3, 1))])
    assert lg.balance_on(D(2026, 2, 28)) == 12
    assert lg.balance_on(D(2026, 3, 1)) == 8
    m = [m for m in lg.movements if m.kind == "retrait"][0]
    assert m.points == -4 and m.ref == "i1" and m.explanation.rule == "R8"


def test_R26_credit_capped_at_12():
    lg = replay(imported(10), courses=[course("s1", D(2026, 6, 5))])
    credit = lg.course("s1")
    assert credit.points == 2 and credit.balance_after == 12
    assert credit.effect_on == D(2026, 6, 7)
    assert credit.explanations[-1] == Explanation(
        "R26", "R26 : min(4, 12 − 10) = 2 points crédités (plafond 12 le 07/06/2026, "
               "solde avant 10)")


def test_R26_balance_at_cap_credits_zero_without_refusal():
    lg = replay(FULL, courses=[course("s1", D(2026, 6, 5))])
    credit = lg.course("s1")
    assert credit.points == 0 and credit.refusal is None
    assert credit.effect_on == D(2026, 6, 7) and credit.balance_after == 12
    assert credit.to_outcome()["credit_refusal"] is None


def test_R26_credit_four_points():
    lg = replay(imported(5), courses=[course("s1", D(2026, 6, 5))])
    assert lg.course("s1").points == 4 and lg.balance_on(D(2026, 6, 7)) == 9
    assert lg.balance_on(D(2026, 6, 6)) == 5


def test_R43_D9_late_registered_retrait_decided_before_effect_date_gives_11():
    retrait = Retrait("i1", D(2026, 3, 1), 3, D(2026, 5, 1))
    lg = replay(imported(10), [retrait], [course("s1", D(2026, 6, 5))])
    credit = lg.course("s1")
    assert credit.balance_before == 7 and credit.points == 4 and credit.balance_after == 11


def test_R43_D9_retrait_decided_after_effect_date_gives_9():
    retrait = Retrait("i1", D(2026, 3, 1), 3, D(2026, 7, 1))
    lg = replay(imported(10), [retrait], [course("s1", D(2026, 6, 5))])
    assert lg.course("s1").points == 2 and lg.course("s1").balance_after == 12
    assert lg.balance_on(D(2026, 7, 1)) == 9


def test_D9_retrait_decided_on_effect_date_comes_before_credit():
    retrait = Retrait("i1", D(2026, 3, 1), 3, D(2026, 6, 7))
    lg = replay(imported(10), [retrait], [course("s1", D(2026, 6, 5))])
    assert lg.course("s1").balance_before == 7 and lg.course("s1").points == 4
    kinds = [m.kind for m in lg.movements if m.effective_on == D(2026, 6, 7)]
    assert kinds == ["retrait", "stage"]


# --- R25, R28, D2: one point-earning course per year ------------------------------------------

def _two_courses(second_day1, cfg=DEFAULT_CONFIG, first_balance=4):
    lic = imported(first_balance, D(2025, 1, 1))
    retrait = Retrait("i2", D(2026, 1, 1), 4, D(2026, 2, 1))
    courses = [course("s1", D(2025, 9, 2)), course("s2", second_day1)]
    return replay(lic, [retrait], courses, cfg=cfg)


def test_R25_D2_day_before_one_year_refused():
    lg = _two_courses(D(2026, 9, 1))
    credit = lg.course("s2")
    assert credit.points == 0 and credit.refusal.rule == "R25"
    assert credit.effect_on is None and credit.balance_after is None
    assert "02/09/2026" in credit.refusal.message
    assert credit.to_outcome()["credit_refusal"]["rule"] == "R25"


def test_R25_D2_one_year_date_itself_allowed():
    lg = _two_courses(D(2026, 9, 2))
    assert lg.course("s2").points == 4 and lg.course("s2").refusal is None
    assert [f.rule for f in lg.course("s2").flags] == ["R25"]  # on the uncertain boundary


def test_R25_Q2_plus_one_day_variant():
    cfg = RulesConfig(one_year_rule="PLUS_ONE_DAY")
    assert _two_courses(D(2026, 9, 2), cfg).course("s2").refusal.rule == "R25"
    assert _two_courses(D(2026, 9, 3), cfg).course("s2").points == 4


def test_R25_D2_leap_day_previous_course():
    lic = imported(4, D(2024, 1, 1))
    courses = [CourseFacts("s1", D(2024, 2, 29), D(2024, 3, 1)),
               CourseFacts("s2", D(2025, 2, 28), D(2025, 3, 1))]
    lg = replay(lic, [Retrait("i", D(2024, 6, 1), 4, D(2024, 7, 1))], courses)
    assert lg.course("s2").refusal is None and lg.course("s2").points == 4


def test_R28_zero_point_course_does_not_start_clock():
    # first course at the cap (0 points), second less than a year later earns points
    lic = FULL
    retrait = Retrait("i1", D(2026, 1, 1), 4, D(2026, 2, 1))
    courses = [course("s1", D(2025, 9, 5)), course("s2", D(2026, 6, 5))]
    lg = replay(lic, [retrait], courses)
    assert lg.course("s1").points == 0 and lg.course("s1").refusal is None
    assert lg.course("s2").points == 4
    assert any(f.rule == "R28" for f in lg.course("s1").flags)


def test_R28_Q13_zero_point_course_starts_clock_when_switched_on():
    cfg = RulesConfig(zero_point_course_starts_clock=True)
    retrait = Retrait("i1", D(2026, 1, 1), 4, D(2026, 2, 1))
    courses = [course("s1", D(2025, 9, 5)), course("s2", D(2026, 6, 5))]
    lg = replay(FULL, [retrait], courses, cfg=cfg)
    assert lg.course("s2").refusal.rule == "R25"


def test_R28_refused_course_does_not_start_clock():
    lic = imported(4, D(2025, 1, 1))
    courses = [course("s1", D(2025, 9, 5), attested=False), course("s2", D(2026, 6, 5))]
    lg = replay(lic, courses=courses)
    assert lg.course("s1").refusal.rule == "R34"
    assert lg.course("s2").points == 4


# --- R34, R31, refusals by a person --------------------------------------------------------------

def test_R34_no_attestation_no_points():
    lg = replay(imported(5), courses=[course("s1", D(2026, 6, 5), attested=False)])
    credit = lg.course("s1")
    assert credit.points == 0 and credit.refusal.rule == "R34"
    assert lg.balance_on(D(2026, 6, 7)) == 5
    assert not any(m.kind == "stage" for m in lg.movements)


def test_R31_course_on_a_sunday_gives_no_points():
    lg = replay(imported(5), courses=[CourseFacts("s1", D(2026, 3, 7), D(2026, 3, 8))])
    assert lg.course("s1").refusal.rule == "R31"


def test_R26_refusal_by_a_person_credits_zero_with_its_explanation():
    motif = Explanation("examen_manuel", "Crédit refusé après examen manuel : animateur absent")
    lg = replay(imported(5), courses=[course("s1", D(2026, 6, 5), refused_by=motif)])
    assert lg.course("s1").refusal == motif and lg.course("s1").points == 0


# --- R6, R11, R24, R42: invalidation ---------------------------------------------------------


def test_R6_a_48SI_notified_while_points_remain_is_flagged():
    """A QA finding: a 48SI recorded on a licence whose computed balance was 12 showed
    « Invalidé » beside « 12 points » and « Aucun signalement »."""
    inval = InvalidationFacts(D(2026, 2, 10), D(2026, 3, 1))
    lg = replay(FULL, [Retrait("i1", D(2026, 1, 5), 4, D(2026, 2, 1))], invalidations=[inval])
    assert lg.flags(D(2026, 2, 28)) == ()  # not notified yet
    [flag] = lg.flags(D(2026, 3, 1))
    assert flag.rule == "R6" and "8 points" in flag.message and "10/02/2026" in flag.message


def test_R42_course_after_notified_48SI_refused():
    lic = LicenceFacts(D(2025, 9, 1), "classic")
    retrait = Retrait("i1", D(2026, 1, 5), 6, D(2026, 2, 1))
    inval = InvalidationFacts(D(2026, 2, 10), D(2026, 3, 1))
    lg = replay(lic, [retrait], [course("s1", D(2026, 6, 5))], [inval])
    credit = lg.course("s1")
    assert credit.points == 0 and credit.refusal.rule == "R42"
    assert credit.effect_on is None and credit.balance_after is None
    assert "01/03/2026" in credit.refusal.message


def test_R6_valid_until_48SI_notification():
    inval = InvalidationFacts(D(2026, 2, 10), D(2026, 3, 1))
    lg = replay(FULL, [Retrait("i1", D(2026, 1, 5), 12, D(2026, 2, 1))], invalidations=[inval])
    assert lg.valid_on(D(2026, 2, 28)) and not lg.valid_on(D(2026, 3, 1))
    assert [f.rule for f in lg.flags(D(2026, 2, 28))] == ["R24"]
    assert lg.flags(D(2026, 3, 1)) == ()
    assert replay(FULL, invalidations=[InvalidationFacts(D(2026, 2, 1), None)]).valid_on(
        D(2030, 1, 1))


def test_R24_course_between_retrait_decision_and_48SI_notification_flags_review():
    lic = LicenceFacts(D(2025, 9, 1), "classic")
    retrait = Retrait("i1", D(2026, 1, 5), 6, D(2026, 5, 1))
    inval = InvalidationFacts(D(2026, 5, 10), D(2026, 7, 1))
    lg = replay(lic, [retrait], [course("s1", D(2026, 6, 5))], [inval])
    credit = lg.course("s1")
    assert credit.balance_before == 0 and credit.points == 4 and credit.balance_after == 4
    assert [f.rule for f in credit.flags] == ["R24"] and credit.flags[0].review
    assert credit.needs_review


def test_R42_notification_on_course_day_refuses():
    inval = InvalidationFacts(D(2026, 5, 10), D(2026, 6, 6))
    lg = replay(imported(0), courses=[course("s1", D(2026, 6, 5))], invalidations=[inval])
    assert lg.course("s1").refusal.rule == "R42"


# --- Q5: negative balance ---------------------------------------------------------------------

def test_Q5_negative_balance_allowed_by_default():
    retrait = Retrait("i1", D(2026, 1, 5), 4, D(2026, 2, 1))
    lg = replay(imported(2), [retrait], [course("s1", D(2026, 6, 5))])
    assert lg.balance_on(D(2026, 2, 1)) == -2
    assert "solde négatif" in lg.flags(D(2026, 2, 1))[0].message
    credit = lg.course("s1")
    assert credit.points == 4 and credit.balance_after == 2
    assert credit.flags[0].rule == "R24"


def test_Q5_balance_floored_at_zero_when_switched_off():
    cfg = RulesConfig(negative_balance=False)
    retrait = Retrait("i1", D(2026, 1, 5), 4, D(2026, 2, 1))
    lg = replay(imported(2), [retrait], [course("s1", D(2026, 6, 5))], cfg=cfg)
    assert lg.balance_on(D(2026, 2, 1)) == 0
    m = [m for m in lg.movements if m.kind == "retrait"][0]
    assert m.points == -2 and "CFG_NEGATIVE_BALANCE=false" in m.explanation.message
    assert lg.course("s1").balance_after == 4


# --- R51–R54, D8: automatic recovery ------------------------------------------------------------

def test_R52_D8_one_point_back_after_six_months():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20), established_on=D(2026, 1, 10),
                offence_class="C3")
    lg = replay(FULL, [r])
    assert lg.balance_on(D(2026, 7, 10)) == 11
    assert lg.balance_on(D(2026, 7, 11)) == 12
    m = [m for m in lg.movements if m.kind == "restitution"][0]
    assert m.explanation.rule == "R52" and m.effective_on == D(2026, 7, 11)


def test_R52_D8_window_end_included_blocks():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20), established_on=D(2026, 1, 10))
    other = Retrait("i2", D(2026, 7, 10), 2, D(2026, 8, 1), offence_class="C3")
    lg = replay(imported(12, D(2025, 1, 1)), [r, other])
    assert not any(m.explanation.rule == "R52" for m in lg.movements if m.kind == "restitution")
    later = Retrait("i2", D(2026, 7, 11), 2, D(2026, 8, 1), offence_class="C3")
    lg = replay(imported(12, D(2025, 1, 1)), [r, later])
    assert any(m.explanation.rule == "R52" for m in lg.movements if m.kind == "restitution")


def test_R52_also_during_probation():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20), established_on=D(2026, 1, 10))
    lg = replay(LicenceFacts(D(2025, 9, 1), "classic"), [r])
    assert lg.balance_on(D(2026, 7, 11)) == 6


def test_R51_two_years_back_to_12():
    r = Retrait("i1", D(2026, 1, 1), 2, D(2026, 1, 20), established_on=D(2026, 1, 10),
                offence_class="C3")
    lg = replay(FULL, [r])
    assert lg.balance_on(D(2028, 1, 10)) == 10
    assert lg.balance_on(D(2028, 1, 11)) == 12


def test_R51_three_years_for_class_4_and_delit():
    for cls in ("C4", "delit"):
        r = Retrait("i1", D(2026, 1, 1), 3, D(2026, 1, 20), established_on=D(2026, 1, 10),
                    offence_class=cls)
        lg = replay(FULL, [r])
        assert lg.balance_on(D(2029, 1, 10)) == 9
        assert lg.balance_on(D(2029, 1, 11)) == 12
        restored = [m for m in lg.movements if m.kind == "restitution"][0]
        assert "trois ans" in restored.explanation.message


def test_R51_blocked_by_new_infraction_restarts_from_last():
    r1 = Retrait("i1", D(2026, 1, 1), 2, D(2026, 1, 20), established_on=D(2026, 1, 10),
                 offence_class="C3")
    r2 = Retrait("i2", D(2027, 6, 1), 2, D(2027, 6, 20), established_on=D(2027, 6, 10),
                 offence_class="C3")
    lg = replay(FULL, [r1, r2])
    assert lg.balance_on(D(2028, 1, 11)) == 8
    assert lg.balance_on(D(2029, 6, 11)) == 12


def test_R51_not_during_probation():
    r = Retrait("i1", D(2023, 6, 1), 2, D(2023, 6, 20), established_on=D(2023, 6, 10),
                offence_class="C3")
    lg = replay(LicenceFacts(D(2023, 5, 1), "classic"), [r])
    assert lg.balance_on(D(2025, 6, 11)) == 4
    r51 = [m for m in lg.movements if m.kind == "restitution" and m.explanation.rule == "R51"]
    # none during probation; applied the day probation ends (LD7, issue 16 item 6)
    assert [m.effective_on for m in r51] == [D(2026, 5, 1)]


def test_R53_ten_years():
    # a 3-point C4 retrait whose 3-year window is blocked by yearly 1-point infractions
    rs = [Retrait("i0", D(2026, 1, 1), 3, D(2026, 1, 20), established_on=D(2026, 1, 10))]
    rs += [Retrait(f"j{y}", D(y, 3, 1), 1, D(y, 3, 20), established_on=D(y, 3, 10),
                   offence_class="C1") for y in range(2026, 2038)]
    lg = replay(FULL, rs)
    r53 = [m for m in lg.movements if m.kind == "restitution" and m.explanation.rule == "R53"]
    assert any(m.ref == "i0" and m.effective_on == D(2036, 1, 11) for m in r53)


def test_R54_no_recovery_after_invalidation():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20), established_on=D(2026, 1, 10))
    big = Retrait("i2", D(2026, 1, 2), 11, D(2026, 2, 1))
    inval = InvalidationFacts(D(2026, 2, 5), D(2026, 3, 1))
    lg = replay(FULL, [r, big], invalidations=[inval])
    assert not any(m.kind == "restitution" for m in lg.movements)
    assert any(n.rule == "R54" for n in lg.notes)


# --- properties -----------------------------------------------------------------------------

day = st.dates(min_value=D(2020, 1, 1), max_value=D(2029, 12, 31))


@st.composite
def scenarios(draw):
    probation = draw(st.sampled_from(["classic", "aac", "none"]))
    lic = LicenceFacts(draw(st.dates(min_value=D(2018, 1, 1), max_value=D(2024, 12, 31))),
                       probation, draw(st.booleans()))
    n = draw(st.integers(0, 5))
    retraits = []
    for i in range(n):
        committed = draw(day)
        retraits.append(Retrait(
            f"i{i}", committed, draw(st.integers(1, 6)),
            committed + timedelta(days=draw(st.integers(0, 200))),
            committed + timedelta(days=draw(st.integers(0, 100))),
            draw(st.sampled_from(["C1", "C2", "C3", "C4", "C5", "delit"]))))
    courses = [course(f"s{i}", draw(day), attested=draw(st.booleans()))
               for i in range(draw(st.integers(0, 4)))]
    invals = [InvalidationFacts(d, d + timedelta(days=draw(st.integers(0, 60))))
              for d in draw(st.lists(day, max_size=1))]
    cfg = RulesConfig(negative_balance=draw(st.booleans()),
                      one_year_rule=draw(st.sampled_from(["SAME_DATE", "PLUS_ONE_DAY"])))
    return lic, retraits, courses, invals, cfg


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.randoms())
def test_D9_property_replay_does_not_depend_on_input_order(scenario, rnd):
    lic, retraits, courses, invals, cfg = scenario
    a = replay(lic, retraits, courses, invals, cfg)
    shuffled = [list(x) for x in (retraits, courses, invals)]
    for x in shuffled:
        rnd.shuffle(x)
    b = replay(lic, *shuffled, cfg)
    assert a.movements == b.movements and a.courses == b.courses
    for d in (D(2020, 1, 1), D(2024, 6, 1), D(2027, 3, 3), D(2032, 1, 1)):
        assert a.balance_on(d) == b.balance_on(d)


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_R26_property_credit_in_0_4_and_never_exceeds_cap(scenario):
    lic, retraits, courses, invals, cfg = scenario
    lg = replay(lic, retraits, courses, invals, cfg)
    for c in courses:
        credit = lg.course(c.ref)
        assert 0 <= credit.points <= 4
        if credit.refusal is None:
            assert credit.balance_before + credit.points <= lg.cap_on(c.effect_on)
            assert credit.effect_on == c.day2 + timedelta(days=1)
        else:
            assert credit.points == 0 and credit.effect_on is None
    for m in lg.movements:
        if m.kind in ("stage", "restitution", "majoration"):
            assert lg.balance_on(m.effective_on) <= 12
        if not cfg.negative_balance:
            assert lg.balance_on(m.effective_on) >= 0


def test_D9_shuffle_example():
    retraits = [Retrait(f"i{i}", D(2026, 1, i + 1), 1 + i % 3, D(2026, 2, i + 1))
                for i in range(6)]
    courses = [course("s1", D(2026, 6, 5)), course("s2", D(2027, 6, 4))]
    ref = replay(FULL, retraits, courses)
    for seed in range(5):
        rs, cs = retraits[:], courses[:]
        random.Random(seed).shuffle(rs)
        random.Random(seed).shuffle(cs)
        assert replay(FULL, rs, cs).movements == ref.movements


def test_R7_realite_date_defaults_to_decision_date_and_starts_recovery():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20))
    assert r.realite_on == D(2026, 1, 20)
    lg = replay(FULL, [r])
    assert lg.balance_on(D(2026, 7, 20)) == 11 and lg.balance_on(D(2026, 7, 21)) == 12


# --- R4/R51: a full-recovery window that ends during probation (issue 16 item 6, LD7) ----------

def test_R51_R4_window_ending_during_probation_applies_on_the_day_probation_ends():
    lic = LicenceFacts(D(2023, 9, 1), "classic")
    lg = replay(lic, [Retrait("c3", D(2023, 10, 10), 2, D(2023, 10, 10), offence_class="C3")])
    assert lg.balance_on(D(2026, 8, 31)) == 4  # window ended 10/10/2025: not during probation
    assert lg.balance_on(D(2026, 9, 1)) == 12  # probation ends 01/09/2026: back to 12
    r51 = [m for m in lg.movements if m.kind == "restitution" and m.explanation.rule == "R51"]
    assert r51 and r51[0].effective_on == D(2026, 9, 1)
    assert "reporté à la fin" in r51[0].explanation.message


def test_R51_R4_new_infraction_between_window_end_and_probation_end_cancels_postponement():
    lic = LicenceFacts(D(2023, 9, 1), "classic")
    lg = replay(lic, [Retrait("c3", D(2023, 10, 10), 2, D(2023, 10, 10), offence_class="C3"),
                      Retrait("n", D(2026, 1, 5), 1, D(2026, 2, 1), offence_class="C3")])
    r51 = [m for m in lg.movements if m.kind == "restitution" and m.explanation.rule == "R51"
           and m.effective_on == D(2026, 9, 1)]
    assert r51 == []
