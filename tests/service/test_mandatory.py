"""Mandatory-course journeys on the services (R15–R22, R26, R34, R36, R43, R45–R49), a manual
clock, no HTTP: what tests/integration/test_journey_mandatory.py checked through the API."""

from __future__ import annotations

import pytest

from services.errors import Conflict
from tests.service.world import day

NUM = "120175200123"


def open_case(world, received="10/03/2026", obtained="01/09/2025", committed="01/02/2026",
              points=3, **kw):
    world.licence(NUM, obtained=obtained, **kw)
    inf = world.infraction(NUM, committed, points=points)
    assert inf["triggers_48n"] is True
    world.set_today(received)
    return world.mandatory_case(NUM, inf["id"], received)


def test_R19_R26_R48_compliant_mandatory_course_credits_and_refunds(world):
    case = open_case(world)
    assert case["deadline"] == day("10/07/2026")  # D1
    assert case["status"] == "en_attente_inscription"
    assert case["outcome"]["obligation"] == "pending"
    assert [t["name"] for t in case["timers"]] == ["echeance_4_mois"]
    assert case["timers"][0]["due_at"].startswith("2026-07-11T00:00:00+02:00")

    session = world.session("05/06/2026", "06/06/2026")
    case = world.enroll(case["id"], session["id"])
    assert case["status"] == "inscrit"

    world.set_today("06/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    case = world.case(case["id"])
    assert case["status"] == "en_attente_attestation"

    world.set_today("15/06/2026")
    case = world.attestation(case["id"], "15/06/2026")
    assert case["status"] == "verification_attestation"
    assert case["credit_due_on"] == day("15/07/2026")  # D4: one calendar month

    case = world.complete(case["id"], "verification_attestation", decision="valider")
    out = case["outcome"]
    assert out["obligation"] == "met"
    assert out["points_credited"] == 3  # R26: min(4, 6 − 3)
    assert out["effect_on"] == day("07/06/2026")  # D3
    assert out["balance_after"] == 6
    assert out["refund"] == {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
    assert out["referral"] is None
    assert case["closed"] is True and case["status"] == "clos"
    assert world.balance(NUM) == 6

    types = [e["type"] for e in world.events(case["id"])]
    assert types[0] == "dossier_ouvert"
    assert "points_credites" in types and "remboursement_decide" in types


def test_D1_deadline_on_last_day_with_month_end_clamp(world):
    case = open_case(world, received="31/10/2025", committed="01/10/2025", obtained="01/09/2024")
    assert case["deadline"] == day("28/02/2026")
    # a course whose last day is the deadline day is compliant (R19)
    session = world.session("27/02/2026", "28/02/2026")
    world.enroll(case["id"], session["id"])
    world.set_today("28/02/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.set_today("01/03/2026")
    assert world.run_timers() == 1
    case = world.case(case["id"])
    # the deadline fired while the attested course was awaiting: no referral
    assert case["outcome"]["referral"] is None
    assert [t["key"] for t in case["tasks"]] == []
    world.attestation(case["id"], "01/03/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"
    assert case["outcome"]["refund"]["eligible"] is True
    assert case["closed"] is True


def test_R21_course_after_deadline_is_referral_candidate_credited_without_refund(world):
    case = open_case(world)
    world.set_today("10/07/2026")
    assert world.run_timers() == 0  # never on the deadline day itself
    world.set_today("11/07/2026")
    assert world.run_timers() == 1
    case = world.case(case["id"])
    assert case["outcome"]["obligation"] == "not_met"
    assert case["outcome"]["referral"] == "candidate"
    assert [t["key"] for t in case["tasks"]] == ["signalement_parquet"]

    session = world.session("17/07/2026", "18/07/2026")
    case = world.enroll(case["id"], session["id"])
    assert any(f["rule"] == "R19" for f in case["flags"])
    world.set_today("18/07/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "18/07/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    out = case["outcome"]
    assert out["points_credited"] == 3
    assert out["obligation"] == "not_met"  # stays not_met after a late course
    assert out["refund"]["eligible"] is False and out["refund"]["rule"] == "R48"
    assert case["closed"] is False  # the referral decision is still open
    case = world.complete(case["id"], "signalement_parquet", decision="signaler", motif="")
    assert case["outcome"]["referral"] == "referred"
    assert case["closed"] is True


def test_R34_day2_absent_then_second_session(world):
    case = open_case(world)
    first = world.session("05/06/2026", "06/06/2026")
    world.enroll(case["id"], first["id"])
    world.set_today("06/06/2026")
    world.attendance(first["id"], [(NUM, "present", "absent")])
    case = world.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert case["outcome"]["points_credited"] is None
    second = world.session("19/06/2026", "20/06/2026")
    world.enroll(case["id"], second["id"])
    world.set_today("20/06/2026")
    world.attendance(second["id"], [(NUM, "present", "present")])
    world.set_today("22/06/2026")
    world.attestation(case["id"], "22/06/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"
    assert case["outcome"]["effect_on"] == day("21/06/2026")


def test_R36_session_cancelled_then_rebooked_deadline_unchanged(world):
    case = open_case(world)
    first = world.session("05/06/2026", "06/06/2026")
    world.enroll(case["id"], first["id"])
    world.cancel(first["id"], "01/05/2026", "effectif insuffisant")
    case = world.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert case["deadline"] == day("10/07/2026")
    assert any(e["type"] == "session_annulee" and e["detail"]["reason"] == "effectif insuffisant"
               for e in world.events(case["id"]))
    # enrolling in a cancelled session is refused
    with pytest.raises(Conflict, match="R36"):
        world.enroll(case["id"], first["id"])
    second = world.session("26/06/2026", "27/06/2026")
    case = world.enroll(case["id"], second["id"])
    assert case["status"] == "inscrit"


def test_R43_late_registered_retrait_before_effect_date_changes_credit(world):
    # a licence out of probation, a voluntary case (no 48N)
    world.licence(NUM, obtained="01/09/2020", probation="none", points=10, on="01/01/2026")
    world.set_today("01/03/2026")
    case = world.voluntary_case(NUM)
    session = world.session("05/06/2026", "06/06/2026")
    world.enroll(case["id"], session["id"])
    world.set_today("06/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.set_today("08/06/2026")
    world.attestation(case["id"], "08/06/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["points_credited"] == 2  # min(4, 12 − 10)
    # a retrait decided on 01/06 (before the effect date 07/06) is registered late
    world.infraction(NUM, "20/05/2026", points=3, decision="01/06/2026")
    case = world.case(case["id"])
    assert case["outcome"]["points_credited"] == 4  # 10 − 3 = 7, +4
    assert case["outcome"]["balance_after"] == 11
    assert world.balance(NUM) == 11
