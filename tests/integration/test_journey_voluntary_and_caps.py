"""A voluntary-course journey end to end through the HTTP API (R4, R26): the contract of each
call and of the licence. The one-year rule (R25), the probationary cap (R3), the small sessions
and the manual review (R32) run on the services in tests/service/test_voluntary_and_caps.py."""

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


def test_R4_R26_credit_capped_at_12(api):
    api.licence(NUM, obtained="01/01/2010", probation="none", points=11, on="01/01/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(NUM)
    assert case["outcome"]["obligation"] is None and case["deadline"] is None
    assert case["letter_48n"] is None
    case = take_course(api, case["id"], "03/06/2026", "04/06/2026", "10/06/2026")
    assert case["outcome"]["points_credited"] == 1
    assert case["outcome"]["balance_after"] == 12
    assert case["outcome"]["refund"] is None  # never a refund for a voluntary course
    assert "R26" in case["outcome"]["explanation"]
    assert api.ok(api.get(f"/api/v1/licences/{NUM}/balance", on="2026-06-04")) == {
        "on": "2026-06-04", "balance": 11, "cap": 12, "valid": True}
    licence = api.ok(api.get(f"/api/v1/licences/{NUM}"))
    assert {"number", "holder", "obtained_on", "probation", "probation_ends_on", "balance",
            "cap", "valid", "flags", "movements"} <= set(licence)
    assert licence["obtained_on"] == "2010-01-01" and licence["probation_ends_on"] is None
    assert licence["cap"] == 12 and licence["balance"] == 12
    assert {"kind", "points", "effective_on", "recorded_at", "ref"} <= set(licence["movements"][0])
