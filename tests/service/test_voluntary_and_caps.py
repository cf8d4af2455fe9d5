"""Voluntary courses, the one-year rule and the caps on the services (R3, R4, R25, R26, R28,
R32): what tests/integration/test_journey_voluntary_and_caps.py checked through the API."""

from __future__ import annotations

from tests.service.world import day

NUM = "120175200200"


def take_course(world, case_id, day1, day2, received, fill=5):
    session = world.session(day1, day2, fill=fill)
    world.enroll(case_id, session["id"])
    world.set_today(day2)
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.set_today(received)
    world.attestation(case_id, received)
    return world.complete(case_id, "verification_attestation", decision="valider")


def test_R25_voluntary_course_refused_by_one_year_rule_then_allowed_on_anniversary(world):
    world.licence(NUM, obtained="01/01/2010", probation="none", points=8, on="01/01/2026")
    world.set_today("01/03/2026")
    first = world.voluntary_case(NUM)
    assert first["outcome"]["obligation"] is None and first["deadline"] is None
    case = take_course(world, first["id"], "03/06/2026", "04/06/2026", "10/06/2026")
    assert case["outcome"]["points_credited"] == 4
    assert case["outcome"]["refund"] is None  # never a refund for a voluntary course
    assert case["closed"] is True
    world.infraction(NUM, "01/02/2027", points=3, decision="01/03/2027")
    assert world.balance(NUM, on="02/03/2027") == 9

    too_early = world.voluntary_case(NUM)
    case = take_course(world, too_early["id"], "02/06/2027", "03/06/2027", "07/06/2027")
    out = case["outcome"]
    assert out["points_credited"] == 0
    assert out["credit_refusal"]["rule"] == "R25"
    assert out["effect_on"] is None and out["balance_after"] is None
    assert world.balance(NUM, on="05/06/2027") == 9

    on_anniversary = world.voluntary_case(NUM)
    world.set_today("07/06/2027")
    session = world.session("03/06/2027", "04/06/2027")
    world.enroll(on_anniversary["id"], session["id"])
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(on_anniversary["id"], "07/06/2027")
    case = world.complete(on_anniversary["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["points_credited"] == 3  # min(4, 12 − 9)
    assert case["outcome"]["balance_after"] == 12


def test_R4_R26_credit_capped_at_12(world):
    world.licence(NUM, obtained="01/01/2010", probation="none", points=11, on="01/01/2026")
    world.set_today("01/03/2026")
    case = world.voluntary_case(NUM)
    case = take_course(world, case["id"], "03/06/2026", "04/06/2026", "10/06/2026")
    assert case["outcome"]["points_credited"] == 1
    assert case["outcome"]["balance_after"] == 12
    assert "R26" in case["outcome"]["explanation"]


def test_R3_R4_credit_capped_at_probationary_cap_aac(world):
    # AAC obtained 01/09/2024: +3 on 01/09/2025 (cap 9); retrait of 3 → 6; course → +3 = 9
    world.licence(NUM, obtained="01/09/2024", probation="aac")
    inf = world.infraction(NUM, "01/02/2026", points=3)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    case = take_course(world, case["id"], "05/06/2026", "06/06/2026", "15/06/2026")
    assert case["outcome"]["points_credited"] == 3
    assert case["outcome"]["balance_after"] == 9
    licence = world.licence_view(NUM)
    assert licence["cap"] == 9 and licence["balance"] == 9
    assert licence["probation_ends_on"] == day("01/09/2026")


def test_R32_small_session_opens_manual_review_then_credit(world):
    world.licence(NUM, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    world.set_today("01/03/2026")
    case = world.voluntary_case(NUM)
    session = world.session("03/06/2026", "04/06/2026", fill=2)  # 3 present < 6
    world.enroll(case["id"], session["id"])
    world.set_today("04/06/2026")
    held = world.attendance(session["id"], [(NUM, "present", "present")])
    assert [f["rule"] for f in held["flags"]] == ["R32"]
    world.set_today("10/06/2026")
    world.attestation(case["id"], "10/06/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["status"] == "examen_manuel"
    assert any(f["rule"] == "R32" for f in case["flags"])
    case = world.complete(case["id"], "examen_manuel", decision="crediter", motif="")
    assert case["outcome"]["points_credited"] == 4
    assert case["closed"] is True


def test_R32_examen_manuel_refusal_credits_nothing_with_the_motif(world):
    world.licence(NUM, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    world.set_today("01/03/2026")
    case = world.voluntary_case(NUM)
    session = world.session("03/06/2026", "04/06/2026", fill=0)
    world.enroll(case["id"], session["id"])
    world.set_today("04/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "04/06/2026")
    world.complete(case["id"], "verification_attestation", decision="valider")
    case = world.complete(case["id"], "examen_manuel", decision="refuser",
                          motif="Session tenue avec un seul stagiaire")
    assert case["outcome"]["points_credited"] == 0
    assert case["outcome"]["credit_refusal"]["rule"] == "R32"
    assert "seul stagiaire" in case["outcome"]["credit_refusal"]["reason"]
    assert world.balance(NUM) == 6
