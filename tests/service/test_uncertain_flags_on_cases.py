"""The UNCERTAIN defaults of issue 16's last check, on a case: the default applies and the case
shows the flag with its rule id (API.md). The pure rules are in
tests/unit/rules/test_uncertain_flags.py; this checks the wiring (services/outcome.case_flags)."""

from __future__ import annotations

NUM = "120175200400"


def rules(case: dict) -> list[str]:
    return [f["rule"] for f in case["flags"]]


def voluntary_course(world, day1: str, day2: str, received: str) -> dict:
    case = world.voluntary_case(NUM)
    session = world.session(day1, day2)
    world.enroll(case["id"], session["id"])
    world.set_today(day2)
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.set_today(received)
    world.attestation(case["id"], received)
    return world.complete(case["id"], "verification_attestation", decision="valider")


def test_R35_third_course_shows_the_interview_flag_and_credits_by_default(world):
    world.licence(NUM, obtained="01/01/2015", probation="none", points=1, on="01/01/2024")
    world.set_today("01/02/2024")
    first = voluntary_course(world, "05/03/2024", "06/03/2024", "08/03/2024")
    assert "R35" not in rules(first)
    world.set_today("01/02/2025")
    second = voluntary_course(world, "05/03/2025", "06/03/2025", "10/03/2025")
    assert "R35" not in rules(second)  # one course before it
    world.set_today("01/02/2026")
    third = voluntary_course(world, "05/03/2026", "06/03/2026", "09/03/2026")
    # 1 + 4 + 4, then min(4, 12 − 9): the default, the credit does not wait for the interview
    assert third["outcome"]["points_credited"] == 3
    r35 = [f["message"] for f in third["flags"] if f["rule"] == "R35"]
    assert len(r35) == 1 and r35[0].startswith("R35 : 2 stages déjà suivis")


def test_R46_Q1_a_refund_deadline_shows_which_text_it_used(world):
    world.licence(NUM, obtained="01/09/2025")
    inf = world.infraction(NUM, "01/02/2026", points=3)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    assert "R46" not in rules(case)  # no refund decided yet
    session = world.session("05/06/2026", "06/06/2026")
    world.enroll(case["id"], session["id"])
    world.set_today("08/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "08/06/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["refund"]["request_deadline"] == "2026-06-24"
    q1 = [f["message"] for f in case["flags"] if f["rule"] == "R46"]
    assert len(q1) == 1 and "Q1" in q1[0] and "nouveau R223-8 IV" in q1[0]


def test_D8_infraction_on_the_last_day_of_a_window_shows_on_the_licence(world):
    world.licence(NUM, obtained="01/01/2015", probation="none", points=12, on="01/01/2025")
    world.infraction(NUM, "01/01/2026", points=1, decision="10/01/2026")
    # the 1-point window runs from réalité (the committed day here: 01/01/2026) to 01/07/2026
    world.infraction(NUM, "01/07/2026", points=2, decision="20/07/2026", offence_class="C3")
    world.set_today("01/08/2026")
    view = world.licence_view(NUM)
    assert [f["rule"] for f in view["flags"]] == ["D8"]
    assert view["balance"] == 9  # the default: blocked, no point back
