"""Mandatory-course journeys through the HTTP API on a manual clock (R15–R22, R26, R45–R49)."""

from __future__ import annotations

NUM = "120175200123"


def open_case(api, received="10/03/2026", obtained="01/09/2025", committed="01/02/2026",
              points=3, **kw):
    api.licence(NUM, obtained=obtained, **kw)
    inf = api.infraction(NUM, committed, points=points)
    assert inf["triggers_48n"] is True
    api.set_today(received)
    return api.mandatory_case(NUM, inf["id"], received)


def test_R19_R26_R48_compliant_mandatory_course_credits_and_refunds(api):
    case = open_case(api)
    assert case["deadline"] == "2026-07-10"  # D1
    assert case["status"] == "en_attente_inscription"
    assert case["outcome"]["obligation"] == "pending"
    assert [t["name"] for t in case["timers"]] == ["echeance_4_mois"]
    assert case["timers"][0]["due_at"].startswith("2026-07-11T00:00:00+02:00")

    session = api.session("05/06/2026", "06/06/2026")
    case = api.enroll(case["id"], session["id"])
    assert case["status"] == "inscrit"

    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    case = api.case(case["id"])
    assert case["status"] == "en_attente_attestation"

    api.set_today("15/06/2026")
    case = api.attestation(case["id"], "15/06/2026")
    assert case["status"] == "verification_attestation"
    assert case["credit_due_on"] == "2026-07-15"  # D4: one calendar month

    case = api.complete(case["id"], "verification_attestation", decision="valider")
    out = case["outcome"]
    assert out["obligation"] == "met"
    assert out["points_credited"] == 3  # R26: min(4, 6 − 3)
    assert out["effect_on"] == "2026-06-07"  # D3
    assert out["balance_after"] == 6
    assert out["refund"] == {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
    assert out["referral"] is None
    assert case["closed"] is True and case["status"] == "clos"
    assert api.balance(NUM) == 6

    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    types = [e["type"] for e in events]
    assert types[0] == "dossier_ouvert"
    assert "points_credites" in types and "remboursement_decide" in types


def test_D1_deadline_on_last_day_with_month_end_clamp(api):
    case = open_case(api, received="31/10/2025", committed="01/10/2025", obtained="01/09/2024")
    assert case["deadline"] == "2026-02-28"
    # a course whose last day is the deadline day is compliant (R19)
    session = api.session("27/02/2026", "28/02/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("28/02/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today("01/03/2026")
    assert api.run_timers() == 1
    case = api.case(case["id"])
    # the deadline fired while the attested course was awaiting: no referral
    assert case["outcome"]["referral"] is None
    assert [t["key"] for t in case["tasks"]] == []
    api.attestation(case["id"], "01/03/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"
    assert case["outcome"]["refund"]["eligible"] is True
    assert case["closed"] is True


def test_R21_course_after_deadline_is_referral_candidate_credited_without_refund(api):
    case = open_case(api)
    api.set_today("10/07/2026")
    assert api.run_timers() == 0  # never on the deadline day itself
    api.set_today("11/07/2026")
    assert api.run_timers() == 1
    case = api.case(case["id"])
    assert case["outcome"]["obligation"] == "not_met"
    assert case["outcome"]["referral"] == "candidate"
    assert [t["key"] for t in case["tasks"]] == ["signalement_parquet"]

    session = api.session("17/07/2026", "18/07/2026")
    case = api.enroll(case["id"], session["id"])
    assert any(f["rule"] == "R19" for f in case["flags"])
    api.set_today("18/07/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.attestation(case["id"], "18/07/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    out = case["outcome"]
    assert out["points_credited"] == 3
    assert out["obligation"] == "not_met"  # stays not_met after a late course
    assert out["refund"]["eligible"] is False and out["refund"]["rule"] == "R48"
    assert case["closed"] is False  # the referral decision is still open
    case = api.complete(case["id"], "signalement_parquet", decision="signaler", motif="")
    assert case["outcome"]["referral"] == "referred"
    assert case["closed"] is True


def test_R34_day2_absent_then_second_session(api):
    case = open_case(api)
    first = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], first["id"])
    api.set_today("06/06/2026")
    api.attendance(first["id"], [(NUM, "present", "absent")])
    case = api.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert case["outcome"]["points_credited"] is None
    second = api.session("19/06/2026", "20/06/2026")
    api.enroll(case["id"], second["id"])
    api.set_today("20/06/2026")
    api.attendance(second["id"], [(NUM, "present", "present")])
    api.set_today("22/06/2026")
    api.attestation(case["id"], "22/06/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"
    assert case["outcome"]["effect_on"] == "2026-06-21"


def test_R36_session_cancelled_then_rebooked_deadline_unchanged(api):
    case = open_case(api)
    first = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], first["id"])
    api.post(f"/api/v1/sessions/{first['id']}/cancel",
             {"on": "2026-05-01", "reason": "effectif insuffisant"}, expect=200)
    case = api.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert case["deadline"] == "2026-07-10"
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert any(e["type"] == "session_annulee" and e["detail"]["reason"] == "effectif insuffisant"
               for e in events)
    # enrolling in a cancelled session is refused
    api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": first["id"]}, expect=409)
    second = api.session("26/06/2026", "27/06/2026")
    case = api.enroll(case["id"], second["id"])
    assert case["status"] == "inscrit"


def test_R43_late_registered_retrait_before_effect_date_changes_credit(api):
    # 10 points on a non-probationary... use a licence out of probation with a 48N-free case:
    api.licence(NUM, obtained="01/09/2020", probation="none", points=10, on="01/01/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(NUM)
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today("08/06/2026")
    api.attestation(case["id"], "08/06/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["points_credited"] == 2  # min(4, 12 − 10)
    # a retrait decided on 01/06 (before the effect date 07/06) is registered late
    api.infraction(NUM, "20/05/2026", points=3, decision="01/06/2026")
    case = api.case(case["id"])
    assert case["outcome"]["points_credited"] == 4  # 10 − 3 = 7, +4
    assert case["outcome"]["balance_after"] == 11
    assert api.balance(NUM) == 11
