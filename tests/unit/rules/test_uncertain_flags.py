"""Every UNCERTAIN rule of DOMAIN.md: the situation, the default that applies, and the flag with
the rule id that shows it (API.md: "the default applies and the case shows a flag")."""

from datetime import date as D

from services.rules.config import RulesConfig
from services.rules.dates import deadline_flags, notification_date
from services.rules.eligibility import (
    cancelled_session_flags,
    compliance,
    interview_flags,
    pre_48n_course_flags,
    session_size_flags,
    triggers_48n,
)
from services.rules.ledger import CourseFacts, LicenceFacts, Retrait, replay
from services.rules.refund import FineFacts, refund_decision

PROB = LicenceFacts(D(2025, 9, 1), "classic")


def rules(flags):
    return [f.rule for f in flags]


def test_R15_Q10_simultaneous_infractions_default_no_48n_flagged():
    d = triggers_48n(PROB, Retrait("a", D(2026, 3, 1), 2, D(2026, 4, 1)),
                     same_day_others=[Retrait("b", D(2026, 3, 1), 2, D(2026, 4, 1))])
    assert not d.ok and "R15" in rules(d.flags) and "Q10" in d.flags[0].message


def test_R17_Q12_unclaimed_letter_default_notified_at_first_presentation_flagged():
    on, flags = notification_date("unclaimed", D(2026, 3, 12))
    assert on == D(2026, 3, 12) and rules(flags) == ["R17"]
    assert "CFG_UNCLAIMED_AR_IS_NOTIFIED=true" in flags[0].message


def test_R18_Q6_course_before_48n_receipt_default_does_not_discharge_flagged():
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 3, 1), D(2026, 3, 2))
    assert not d.ok and "R18" in rules(d.flags)
    # the case whose only course was taken before the receipt (a voluntary one) says so too
    flags = pre_48n_course_flags(D(2026, 3, 10), D(2026, 2, 1), [(D(2026, 2, 20),
                                                                 D(2026, 2, 21))])
    assert rules(flags) == ["R18"] and "CFG_PRE_48N_COURSE_DISCHARGES=false" in flags[0].message
    # a course before the infraction is unrelated: no flag
    assert pre_48n_course_flags(D(2026, 3, 10), D(2026, 2, 1),
                                [(D(2026, 1, 5), D(2026, 1, 6))]) == ()


def test_R19_Q3_course_straddling_the_deadline_default_non_compliant_flagged():
    d = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 10), D(2026, 7, 11))
    assert not d.ok and "R19" in rules(d.flags)


def test_D1_Q4_deadline_on_a_sunday_default_not_extended_flagged():
    flags = deadline_flags(D(2026, 3, 12))  # 12/07/2026 is a Sunday
    assert rules(flags) == ["D1"] and "Q4" in flags[0].message
    assert deadline_flags(D(2026, 3, 12), RulesConfig(extend_to_next_working_day=True)) == ()
    assert deadline_flags(D(2026, 3, 10)) == ()  # 10/07/2026 is a Friday


def test_R28_Q13_zero_point_course_default_does_not_start_clock_flagged():
    lic = LicenceFacts(D(2015, 1, 1), "none")
    at_cap = CourseFacts("s1", D(2025, 9, 5), D(2025, 9, 6), True)  # 12 points: 0 credited
    lg = replay(lic, [], [at_cap])
    assert lg.course("s1").points == 0 and lg.course("s1").refusal is None
    flags = lg.course("s1").flags
    assert "R28" in rules(flags) and "Q13" in flags[-1].message


def test_R25_Q2_first_day_on_the_one_year_boundary_flagged():
    lic = LicenceFacts(D(2015, 1, 1), "none")
    r = Retrait("r", D(2025, 1, 5), 8, D(2025, 2, 1))
    lg = replay(lic, [r], [CourseFacts("s1", D(2025, 9, 2), D(2025, 9, 3), True),
                           CourseFacts("s2", D(2026, 9, 2), D(2026, 9, 3), True)])
    assert lg.course("s2").points == 4  # same date one year later: allowed (default)
    assert "R25" in rules(lg.course("s2").flags)


def test_R41_Q11_irregular_group_size_default_credit_with_review_flag():
    flags = session_size_flags(3, False)
    assert rules(flags) == ["R32"] and flags[0].review


def test_R48_Q7_late_course_default_no_refund_flagged():
    late = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 7, 20), D(2026, 7, 21))
    d = refund_decision("obligatoire", FineFacts(135, "forfaitaire", D(2026, 2, 1)), late,
                        D(2026, 7, 21), D(2026, 7, 21))
    assert not d.eligible and "R48" in rules(d.flags)


def test_R49_fine_majoree_default_paid_amount_flagged():
    ok = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 6, 5), D(2026, 6, 6))
    d = refund_decision("obligatoire", FineFacts(375, "majoree", D(2026, 2, 1)), ok,
                        D(2026, 6, 6), D(2026, 6, 6))
    assert d.eligible and "R49" in rules(d.flags)


def test_Q5_R24_negative_balance_default_allowed_flagged():
    lic = LicenceFacts(D(2015, 1, 1), "none", imported_points=2, imported_on=D(2026, 1, 1))
    lg = replay(lic, [Retrait("r", D(2026, 2, 1), 4, D(2026, 3, 1))])
    assert lg.balance_on(D(2026, 3, 2)) == -2
    flags = lg.flags(D(2026, 3, 2))
    assert "R24" in rules(flags) and "Q5" in flags[0].message


def test_R3_Q9_increment_blocked_by_commission_date_flagged():
    lg = replay(LicenceFacts(D(2024, 9, 1), "classic"),
                [Retrait("r", D(2025, 8, 20), 3, D(2025, 9, 15))])
    assert "R3" in rules(lg.flags(D(2025, 9, 16)))


def test_R36_cancelled_session_default_deadline_not_extended_flagged():
    flags = cancelled_session_flags(D(2026, 6, 5), D(2026, 6, 6), D(2026, 5, 1),
                                    "formateur indisponible", D(2026, 7, 10))
    assert rules(flags) == ["R36"]
    assert "10/07/2026" in flags[0].message and "formateur indisponible" in flags[0].message
    assert "incertaine" in flags[0].message


def test_R46_Q1_refund_deadline_names_its_text_and_the_uncertain_version_date_flagged():
    ok = compliance(D(2026, 3, 10), D(2026, 7, 10), D(2026, 6, 5), D(2026, 6, 6))
    d = refund_decision("obligatoire", FineFacts(135, "forfaitaire", D(2026, 2, 1)), ok,
                        D(2026, 6, 6), D(2026, 6, 6))
    assert d.eligible and d.request_deadline == D(2026, 6, 24)  # the default applies
    q1 = [f for f in d.flags if f.rule == "R46"]
    assert len(q1) == 1 and "nouveau R223-8 IV (15 jours ouvrables)" in q1[0].message
    assert "Q1" in q1[0].message and "CFG_R223_8_IV_VERSION_DATE=2026-04-01" in q1[0].message
    # a course that ended before the default date: the former text, said so
    old = compliance(D(2025, 11, 10), D(2026, 3, 10), D(2026, 2, 27), D(2026, 2, 28))
    d = refund_decision("obligatoire", FineFacts(135, "forfaitaire", D(2026, 2, 1)), old,
                        D(2026, 2, 28), D(2026, 2, 28))
    assert "ancien R223-8 IV (15 jours calendaires)" in next(
        f.message for f in d.flags if f.rule == "R46")
    # no deadline computed (no course yet): no R46 flag
    d = refund_decision("obligatoire", FineFacts(135, "forfaitaire", D(2026, 2, 1)), ok,
                        None, None)
    assert "R46" not in rules(d.flags)


def test_D7_Q16_licence_obtained_on_29_february_default_28_february_flagged():
    lg = replay(LicenceFacts(D(2024, 2, 29), "classic"))
    assert [a for a, _, _ in lg.increments][0] == D(2025, 2, 28)  # the default clamp applies
    flags = lg.flags(D(2024, 3, 1))
    assert rules(flags) == ["D7"] and "Q16" in flags[0].message
    assert "D7" not in rules(replay(LicenceFacts(D(2024, 3, 1), "classic")).flags(D(2024, 3, 2)))
    # a licence without probation has no anniversary to clamp
    assert "D7" not in rules(replay(LicenceFacts(D(2024, 2, 29), "none")).flags(D(2024, 3, 1)))


def test_D2_Q16_course_one_year_after_a_29_february_course_default_allowed_flagged():
    lic = LicenceFacts(D(2015, 1, 1), "none")
    r = Retrait("r", D(2024, 1, 5), 8, D(2024, 2, 1))
    first = CourseFacts("s1", D(2024, 2, 29), D(2024, 3, 1), True)
    on_clamp = CourseFacts("s2", D(2025, 2, 28), D(2025, 3, 1), True)
    lg = replay(lic, [r], [first, on_clamp])
    assert lg.course("s2").points > 0  # 28/02/2025 is one year after 29/02/2024 by default
    assert "D2" in rules(lg.course("s2").flags) and "Q16" in lg.course("s2").flags[-1].message
    later = CourseFacts("s2", D(2025, 3, 6), D(2025, 3, 7), True)  # either reading: allowed
    assert "D2" not in rules(replay(lic, [r], [first, later]).course("s2").flags)


def test_R35_third_course_interview_not_recorded_default_credit_flagged():
    assert interview_flags(D(2026, 6, 5), D(2026, 6, 6), 1) == ()
    flags = interview_flags(D(2026, 6, 5), D(2026, 6, 6), 2)
    assert rules(flags) == ["R35"] and "psychologue" in flags[0].message
    assert "par défaut, le crédit n'en dépend pas" in flags[0].message
    assert not flags[0].review  # API.md's review situations do not include it


def test_D8_infraction_on_the_window_last_day_default_blocks_flagged():
    r = Retrait("i1", D(2026, 1, 1), 1, D(2026, 1, 20), established_on=D(2026, 1, 10))
    on_end = Retrait("i2", D(2026, 7, 10), 2, D(2026, 8, 1), offence_class="C3")
    lg = replay(LicenceFacts(D(2015, 1, 1), "none"), [r, on_end])
    assert not any(m.explanation.rule == "R52" for m in lg.movements if m.kind == "restitution")
    flags = lg.flags(D(2026, 7, 11))
    assert "D8" in rules(flags) and "10/07/2026" in next(f.message for f in flags
                                                          if f.rule == "D8")
    assert "D8" not in rules(lg.flags(D(2026, 7, 10)))  # shown from the day it would have come
    # blocked well inside the window: not the boundary, no flag
    inside = Retrait("i2", D(2026, 5, 1), 2, D(2026, 8, 1), offence_class="C3")
    lg = replay(LicenceFacts(D(2015, 1, 1), "none"), [r, inside])
    assert "D8" not in rules(lg.flags(D(2026, 12, 1)))


def test_D8_R51_full_recovery_blocked_only_by_the_last_days_infraction_flagged():
    r = Retrait("i1", D(2022, 1, 1), 3, D(2022, 2, 1), offence_class="C3")
    # réalité 01/02/2022 → the two clean years (C3: not a severe class) end on 01/02/2024
    on_end = Retrait("i2", D(2024, 2, 1), 2, D(2024, 3, 1), offence_class="C3")
    lg = replay(LicenceFacts(D(2010, 1, 1), "none"), [r, on_end])
    assert any(f.rule == "D8" and "(R51)" in f.message for f in lg.flags(D(2024, 3, 2)))
    day_after = Retrait("i2", D(2024, 2, 2), 2, D(2024, 3, 1), offence_class="C3")
    lg = replay(LicenceFacts(D(2010, 1, 1), "none"), [r, day_after])
    assert "D8" not in rules(lg.flags(D(2024, 3, 2)))
    assert any(m.explanation.rule == "R51" for m in lg.movements if m.kind == "restitution")



def test_D8_Q16_recovery_windows_from_29_february_default_28_february_flagged():
    r = Retrait("i1", D(2028, 2, 1), 2, D(2028, 3, 10), established_on=D(2028, 2, 29),
                offence_class="C3")
    lg = replay(LicenceFacts(D(2010, 1, 1), "none"), [r])
    # the two clean years end on 28/02/2030 (default clamp): the maximum is back on 01/03/2030
    back = [m for m in lg.movements if m.kind == "restitution"]
    assert back and back[0].effective_on == D(2030, 3, 1)
    flags = [f for f in lg.flags(D(2028, 3, 10)) if f.rule == "D8"]
    assert len(flags) == 1 and "Q16" in flags[0].message
    assert "D8" not in rules(replay(LicenceFacts(D(2010, 1, 1), "none"), [Retrait(
        "i1", D(2028, 2, 1), 2, D(2028, 3, 10), established_on=D(2028, 3, 1),
        offence_class="C3")]).flags(D(2028, 3, 10)))
