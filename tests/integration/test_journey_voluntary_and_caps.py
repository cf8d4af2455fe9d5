"""Voluntary courses, the one-year rule and the caps, via the HTTP API (R3, R4, R25, R26, R28)."""

from __future__ import annotations

NUM = "120175200200"


def take_course(api, case_id, day1, day2, received, fill=5):
    session = api.session(day1, day2, fill=fill)
    api.enroll(case_id, session["id"])
    api.set_today(day2)
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today(received)
    api.attestation(case_id, received)
    return api.complete(case_id, "verification_attestation", decision="valider")


def test_R25_voluntary_course_refused_by_one_year_rule_then_allowed_on_anniversary(api):
    api.licence(NUM, obtained="01/01/2010", probation="none", points=8, on="01/01/2026")
    api.set_today("01/03/2026")
    first = api.voluntary_case(NUM)
    assert first["outcome"]["obligation"] is None and first["deadline"] is None
    case = take_course(api, first["id"], "03/06/2026", "04/06/2026", "10/06/2026")
    assert case["outcome"]["points_credited"] == 4
    assert case["outcome"]["refund"] is None  # never a refund for a voluntary course
    assert case["closed"] is True
    api.infraction(NUM, "01/02/2027", points=3, decision="01/03/2027")
    assert api.balance(NUM, on="02/03/2027") == 9

    too_early = api.voluntary_case(NUM)
    case = take_course(api, too_early["id"], "02/06/2027", "03/06/2027", "07/06/2027")
    out = case["outcome"]
    assert out["points_credited"] == 0
    assert out["credit_refusal"]["rule"] == "R25"
    assert out["effect_on"] is None and out["balance_after"] is None
    assert api.balance(NUM, on="05/06/2027") == 9

    on_anniversary = api.voluntary_case(NUM)
    api.set_today("07/06/2027")
    session = api.session("03/06/2027", "04/06/2027")
    api.enroll(on_anniversary["id"], session["id"])
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.attestation(on_anniversary["id"], "07/06/2027")
    case = api.complete(on_anniversary["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["points_credited"] == 3  # min(4, 12 − 9)
    assert case["outcome"]["balance_after"] == 12


def test_R4_R26_credit_capped_at_12(api):
    api.licence(NUM, obtained="01/01/2010", probation="none", points=11, on="01/01/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(NUM)
    case = take_course(api, case["id"], "03/06/2026", "04/06/2026", "10/06/2026")
    assert case["outcome"]["points_credited"] == 1
    assert case["outcome"]["balance_after"] == 12
    assert "R26" in case["outcome"]["explanation"]


def test_R3_R4_credit_capped_at_probationary_cap_aac(api):
    # AAC obtained 01/09/2024: +3 on 01/09/2025 (cap 9); retrait of 3 → 6; course → +3 = 9
    api.licence(NUM, obtained="01/09/2024", probation="aac")
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")
    case = take_course(api, case["id"], "05/06/2026", "06/06/2026", "15/06/2026")
    assert case["outcome"]["points_credited"] == 3
    assert case["outcome"]["balance_after"] == 9
    licence = api.ok(api.get(f"/api/v1/licences/{NUM}"))
    assert licence["cap"] == 9 and licence["balance"] == 9
    assert licence["probation_ends_on"] == "2026-09-01"


def test_R32_small_session_opens_manual_review_then_credit(api):
    api.licence(NUM, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(NUM)
    session = api.session("03/06/2026", "04/06/2026", fill=2)  # 3 present < 6
    api.enroll(case["id"], session["id"])
    api.set_today("04/06/2026")
    held = api.attendance(session["id"], [(NUM, "present", "present")])
    assert [f["rule"] for f in held["flags"]] == ["R32"]
    api.set_today("10/06/2026")
    api.attestation(case["id"], "10/06/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    assert case["status"] == "examen_manuel"
    assert any(f["rule"] == "R32" for f in case["flags"])
    case = api.complete(case["id"], "examen_manuel", decision="crediter", motif="")
    assert case["outcome"]["points_credited"] == 4
    assert case["closed"] is True


def test_examen_manuel_refusal_credits_nothing_with_the_motif(api):
    api.licence(NUM, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(NUM)
    session = api.session("03/06/2026", "04/06/2026", fill=0)
    api.enroll(case["id"], session["id"])
    api.set_today("04/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.attestation(case["id"], "04/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")
    case = api.complete(case["id"], "examen_manuel", decision="refuser",
                        motif="Session tenue avec un seul stagiaire")
    assert case["outcome"]["points_credited"] == 0
    assert case["outcome"]["credit_refusal"]["rule"] == "R32"
    assert "seul stagiaire" in case["outcome"]["credit_refusal"]["reason"]
    assert api.balance(NUM) == 6
