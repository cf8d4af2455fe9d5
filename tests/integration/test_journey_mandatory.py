"""A mandatory-course journey end to end through the HTTP API (R15–R22, R26, R45–R49): the
contract of each call (status codes, fields, ISO dates). The journeys' legal checks — the
deadline clamp (D1), the course after the deadline (R21), the day-2 absence (R34), the
cancelled session (R36), the late retrait (R43) — run on the services in
tests/service/test_mandatory.py."""

from __future__ import annotations

NUM = "120175200123"

CASE_FIELDS = {"id", "reference", "kind", "licence", "holder", "status", "closed", "process",
               "status_label",  # added (docs/api-additions.md)
               "letter_48n", "infraction", "deadline", "credit_due_on", "session",
               "attestation", "tasks", "timers", "flags", "outcome",
               "pending_change"}  # added (docs/api-additions.md, issue 16)
OUTCOME_FIELDS = {"obligation", "points_credited", "effect_on", "balance_after",
                  "credit_refusal", "explanation", "refund", "referral"}


def open_case(api, received="10/03/2026", obtained="01/09/2025", committed="01/02/2026",
              points=3, **kw):
    api.licence(NUM, obtained=obtained, **kw)
    inf = api.infraction(NUM, committed, points=points)
    assert inf["triggers_48n"] is True
    api.set_today(received)
    return api.mandatory_case(NUM, inf["id"], received)


def test_R19_R26_R36_R48_compliant_mandatory_course_credits_and_refunds(api):
    case = open_case(api)
    assert set(case) == CASE_FIELDS and set(case["outcome"]) == OUTCOME_FIELDS
    assert case["deadline"] == "2026-07-10"  # D1
    assert case["status"] == "en_attente_inscription"
    assert case["outcome"]["obligation"] == "pending"
    assert case["process"] == {"key": "stage_obligatoire", "version": 1}
    assert [t["name"] for t in case["timers"]] == ["echeance_4_mois"]
    assert case["timers"][0]["due_at"].startswith("2026-07-11T00:00:00+02:00")

    # a first session, cancelled (R36): the cancel answers the session; a cancelled one is a 409
    first = api.session("29/05/2026", "30/05/2026", fill=0)
    api.enroll(case["id"], first["id"])
    api.reach("01/05/2026")  # a cancellation is recorded once it happened (never in the future)
    cancelled = api.ok(api.post(f"/api/v1/sessions/{first['id']}/cancel",
                                {"on": "2026-05-01", "reason": "effectif insuffisant"}))
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_on"] == "2026-05-01"
    assert cancelled["cancel_reason"] == "effectif insuffisant"
    resp = api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": first["id"]})
    assert resp.status_code == 409 and "R36" in resp.get_json()["detail"]

    session = api.session("05/06/2026", "06/06/2026")
    assert session["status"] == "planned" and session["day2"] == "2026-06-06"
    case = api.enroll(case["id"], session["id"])
    assert case["status"] == "inscrit" and case["session"] == session["id"]

    api.set_today("06/06/2026")
    held = api.attendance(session["id"], [(NUM, "present", "present")])
    assert held["status"] == "held"
    case = api.case(case["id"])
    assert case["status"] == "en_attente_attestation"

    api.set_today("15/06/2026")
    case = api.attestation(case["id"], "15/06/2026")
    assert case["status"] == "verification_attestation"
    assert case["credit_due_on"] == "2026-07-15"  # D4: one calendar month
    task = api.task(case["id"], "verification_attestation")
    assert {"id", "case", "key", "title", "form", "assignee", "created_at", "due_on"} <= set(task)
    assert task["case"] == case["id"] and task["form"]["type"] == "object"

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

    page = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))
    assert {"items", "total", "page", "per_page"} == set(page)
    assert {"at", "actor", "type", "detail"} <= set(page["items"][0])
    types = [e["type"] for e in page["items"]]
    assert types[0] == "dossier_ouvert"
    assert "session_annulee" in types
    assert "points_credites" in types and "remboursement_decide" in types
