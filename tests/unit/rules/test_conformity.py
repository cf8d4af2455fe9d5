"""R19 over a whole case, R17 (NPAI review), R41/R42 (the rule a refused credit cites), D11
(a 48N's receipt): the decisions the services used to spell out themselves."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.rules.config import RulesConfig
from services.rules.conformity import (
    CONFORME,
    EN_ATTENTE,
    NON_CONFORME,
    SANS_OBJET,
    CourseFacts,
    case_conformity,
    ends_after_deadline,
    npai_review,
    receipt_problems,
    refusal_rule,
    refused_attestation_consequences,
)
from services.rules.dates import deadline_4_months
from services.rules.eligibility import compliance

D = date
NOTIFIED = D(2026, 3, 2)
DEADLINE = deadline_4_months(NOTIFIED)  # 02/07/2026
FIRST_DAY = RulesConfig(deadline_test="FIRST_DAY")


def course(day1, verification=None, awaiting=False, attested=False):
    return CourseFacts(day1, day1 + timedelta(days=1), verification, awaiting, attested)


# ---- R19 over the case's courses ------------------------------------------------------------

def test_R19_a_validated_course_in_time_makes_the_case_conforme():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 5, 4), "valider")]) == CONFORME


def test_R19_a_validated_course_after_the_deadline_does_not():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 7, 6), "valider")]) == NON_CONFORME


def test_R19_a_course_still_to_be_held_in_time_keeps_the_case_waiting():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 6, 1), awaiting=True)]) == EN_ATTENTE


def test_R19_an_attested_course_not_yet_checked_keeps_the_case_waiting():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 6, 1), attested=True)]) == EN_ATTENTE


def test_R19_a_refused_attestation_is_not_a_conforming_course():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 6, 1), "refuser", attested=True)]) == NON_CONFORME


def test_R19_one_validated_course_among_others_is_enough():
    courses = [course(D(2026, 4, 6), "refuser", attested=True), course(D(2026, 7, 6)),
               course(D(2026, 6, 1), "valider", attested=True)]
    assert case_conformity(True, False, NOTIFIED, DEADLINE, courses) == CONFORME


def test_R18_a_course_before_the_48n_receipt_does_not_count():
    assert case_conformity(True, False, NOTIFIED, DEADLINE,
                           [course(D(2026, 2, 2), "valider")]) == NON_CONFORME


def test_R19_a_voluntary_case_or_an_invalidated_licence_has_no_obligation():
    validated = [course(D(2026, 5, 4), "valider")]
    assert case_conformity(False, False, NOTIFIED, DEADLINE, validated) == SANS_OBJET
    assert case_conformity(True, True, NOTIFIED, DEADLINE, validated) == SANS_OBJET


# ---- R19: a course too late for the deadline -------------------------------------------------

def test_R19_the_last_day_is_judged_by_default_and_the_deadline_is_included():
    assert not ends_after_deadline(DEADLINE - timedelta(days=1), DEADLINE, DEADLINE)
    assert ends_after_deadline(DEADLINE, DEADLINE + timedelta(days=1), DEADLINE)


def test_R19_Q3_with_first_day_a_course_straddling_the_deadline_is_in_time():
    assert not ends_after_deadline(DEADLINE, DEADLINE + timedelta(days=1), DEADLINE, FIRST_DAY)
    assert ends_after_deadline(DEADLINE + timedelta(days=1), DEADLINE + timedelta(days=2),
                               DEADLINE, FIRST_DAY)


def test_R19_without_a_deadline_no_course_is_late():
    assert not ends_after_deadline(D(2030, 1, 7), D(2030, 1, 8), None)


@given(start=st.dates(min_value=D(2026, 3, 2), max_value=D(2026, 12, 31)),
       first_day=st.booleans())
def test_R19_too_late_is_exactly_what_compliance_refuses_for_a_course_after_the_receipt(
        start, first_day):
    cfg = FIRST_DAY if first_day else RulesConfig()
    end = start + timedelta(days=1)
    assert ends_after_deadline(start, end, DEADLINE, cfg) == (
        not compliance(NOTIFIED, DEADLINE, start, end, cfg).ok)


# ---- R41/R42, R17, D11 -----------------------------------------------------------------------

def test_R41_R42_a_refused_credit_cites_the_review_reason_first():
    assert refusal_rule(["R32", "R25"], False) == "R32"
    assert refusal_rule([], True) == "R42"
    assert refusal_rule([], False) == "R41"


def test_R17_only_a_mandatory_case_whose_48n_came_back_npai_goes_to_review():
    flag = npai_review(True, "npai")
    assert flag is not None and flag.rule == "R17" and flag.review
    assert npai_review(False, "npai") is None
    assert npai_review(True, "signed") is None


def test_D11_a_signed_or_unclaimed_letter_needs_a_receipt_date_not_before_sending():
    sent = D(2026, 2, 20)
    assert receipt_problems("signed", sent, D(2026, 2, 23)) == []
    assert receipt_problems("unclaimed", sent, D(2026, 2, 23)) == []
    assert [f for f, _ in receipt_problems("signed", sent, None)] == ["received_on"]
    assert "précéder" in receipt_problems("unclaimed", sent, D(2026, 2, 19))[0][1]


def test_D11_an_npai_letter_has_no_receipt_date():
    assert receipt_problems("npai", D(2026, 2, 20), None) == []
    assert "NPAI" in receipt_problems("npai", D(2026, 2, 20), D(2026, 2, 23))[0][1]


# ---- what refusing an attestation does (the clerk's confirmation) ----------------------------

def test_R19_R21_R48_a_refusal_before_the_deadline_leaves_until_it_for_another_course():
    said = refused_attestation_consequences(True, "pending", DEADLINE, DEADLINE)
    assert "achever un autre stage au plus tard le 02/07/2026" in said[0]
    assert "(R19)" in said[0] and "(R48)" in said[0] and "(R21)" in said[0]
    assert "suspension du permis de 3 ans au plus (R21)" in said[1]
    first_day = refused_attestation_consequences(True, "pending", DEADLINE, DEADLINE, FIRST_DAY)
    assert "commencer un autre stage" in first_day[0]


def test_R19_R21_R48_D1_a_refusal_past_the_deadline_leaves_the_obligation_unmet():
    said = refused_attestation_consequences(True, "pending", DEADLINE,
                                            DEADLINE + timedelta(days=1))
    assert said[0].startswith("L'échéance du délai de quatre mois, le 02/07/2026, est passée")
    assert "devient non remplie (R19)" in said[0] and "ne sera pas remboursée (R48)" in said[0]
    assert "candidat au signalement au parquet" in said[0]
    unmet = refused_attestation_consequences(True, "not_met", DEADLINE, DEADLINE)
    assert unmet == ("L'obligation de stage reste non remplie (R19) et l'amende ne sera pas "
                     "remboursée (R48).",)


def test_R17_R19_Q8_a_refusal_where_no_obligation_runs_says_nothing_of_the_law():
    assert refused_attestation_consequences(False, None, None, DEADLINE) == ()
    assert refused_attestation_consequences(True, "pending", None, DEADLINE) == ()  # NPAI
    assert refused_attestation_consequences(True, "manual_review", DEADLINE, DEADLINE) == ()
    assert refused_attestation_consequences(True, "met", DEADLINE, DEADLINE) == ()
