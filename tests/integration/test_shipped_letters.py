"""The shipped processes make their letters through the catalogue's service task
(`generer_courrier`) at the step where a clerk would send them (issue 15): the prosecutor
letter when the clerk decides to report (R21, Q14), the notice of points credited (R26) and
the refund decision (R45–R49, mandatory courses only: R20)."""

from __future__ import annotations

import pytest

from tests.integration.test_letters import pdf_text

NUM = "120175200888"
PROSECUTOR = "Signalement au procureur de la République"
CREDIT = "Notification de points crédités"
REFUND = "Décision relative au remboursement de l'amende"


def letters(api, case_id: int) -> list[dict]:
    return api.ok(api.get(f"/api/v1/cases/{case_id}/letters"))["items"]


def download(api, case_id: int, letter: dict) -> bytes:
    resp = api.get(f"/api/v1/cases/{case_id}/letters/{letter['id']}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    return resp.data


@pytest.fixture
def at_referral(api):
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], received="10/03/2026", sent="05/03/2026")
    api.set_today("11/07/2026")  # the day after the deadline (D1): the referral task (R21)
    api.run_timers()
    assert letters(api, case["id"]) == []
    return case


def test_the_prosecutor_letter_is_made_when_the_clerk_reports(api, at_referral):
    case = at_referral
    api.complete(case["id"], "signalement_parquet", decision="signaler", motif="délai dépassé")
    [letter] = letters(api, case["id"])
    assert letter["title"] == PROSECUTOR and letter["template"] == "signalement_procureur"
    text = pdf_text(download(api, case["id"], letter))
    for expected in (case["reference"], "Léa Martin", NUM,  # the case, the driver
                     "envoyée le 5 mars 2026", "le 10 mars 2026",  # the 48N dates
                     "expiré le 10 juillet 2026"):  # the deadline (D1)
        assert expected in text, expected


def test_no_prosecutor_letter_when_the_clerk_does_not_report(api, at_referral):
    case = at_referral
    api.complete(case["id"], "signalement_parquet", decision="ne_pas_signaler",
                 motif="Hospitalisation justifiée")
    assert letters(api, case["id"]) == []


def test_a_credited_mandatory_course_makes_the_credit_notice_and_the_refund_decision(api):
    api.set_today("20/03/2026")
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], received="10/03/2026", sent="05/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today("15/06/2026")
    api.attestation(case["id"], "15/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")
    made = letters(api, case["id"])
    assert [m["title"] for m in made] == [CREDIT, REFUND]
    credit = pdf_text(download(api, case["id"], made[0]))
    assert "3 point(s)" in credit and "avec effet au 7 juin 2026" in credit
    refund = pdf_text(download(api, case["id"], made[1]))
    assert "accordé" in refund and "135 €" in refund and "24 juin 2026" in refund


def test_a_voluntary_course_has_the_credit_notice_and_no_refund_decision(api):
    api.set_today("01/03/2026")
    api.licence(NUM, obtained="01/01/2020", probation="none")
    case = api.voluntary_case(NUM)
    session = api.session("03/06/2026", "04/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("04/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today("10/06/2026")
    api.attestation(case["id"], "10/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")
    assert [m["title"] for m in letters(api, case["id"])] == [CREDIT]  # R20: no refund
