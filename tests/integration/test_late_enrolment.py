"""A course recorded after the fact (docs/legal-decisions.md, « Sessions et inscriptions
enregistrées après coup »): a centre declares its sessions before their first day and enrols
trainees until then; the prefecture alone records a late enrolment, which the case's history
shows; and a course credited after the deadline passed without one never makes the fine
refundable (R19, R48), even when its dates fall before the deadline."""

from __future__ import annotations

from services.db import db
from services.models import CourseSession, Enrollment
from tests.api_errors_support import CENTRE, assert_problem, unchanged
from tests.helpers import d
from tests.ui_support import UiClient

NUM = "120175200401"


def _waiting_case(api, received="02/03/2026"):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026", points=3)
    return api.mandatory_case(NUM, inf["id"], received)


def _sessions() -> int:
    return db.session.query(CourseSession).count()


def test_a_centre_declares_no_session_whose_first_day_is_past(api):
    api.set_today("10/06/2026")
    body = {"centre": CENTRE, "day1": d("08/06/2026"), "day2": d("09/06/2026"), "capacity": 20}
    before = _sessions()
    problem = assert_problem(api.post("/api/v1/sessions", body, as_="centre75"), 422, "day1")
    assert "08/06/2026" in problem["errors"]["day1"][0]
    assert _sessions() == before
    # on its first day, it still may; the prefecture may record a past session
    api.ok(api.post("/api/v1/sessions", {**body, "day1": d("10/06/2026"),
                                         "day2": d("11/06/2026")}, as_="centre75"), 201)
    api.ok(api.post("/api/v1/sessions", body, as_="agent"), 201)
    assert _sessions() == before + 2


def test_a_centre_enrols_no_trainee_once_the_session_began(api):
    api.set_today("02/03/2026")
    case = _waiting_case(api)
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    path = f"/api/v1/sessions/{session['id']}/enrollment"
    api.set_today("06/06/2026")
    with unchanged():
        bodies = [assert_problem(api.post(path, {"licence": number}, as_="centre75"), 409)
                  for number in (NUM, "999999999999")]
    # the session's refusal, before the look-up: it tells nothing of the licence typed
    assert bodies[0] == bodies[1]
    assert "05/06/2026" in bodies[0]["detail"] and "préfecture" in bodies[0]["detail"]
    assert api.case(case["id"])["status"] == "en_attente_inscription"
    assert db.session.query(Enrollment).filter_by(case_id=case["id"]).count() == 0


def test_a_centre_enrols_on_the_first_day_and_the_history_says_nothing_late(api):
    api.set_today("02/03/2026")
    case = _waiting_case(api)
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    api.set_today("05/06/2026")
    api.ok(api.post(f"/api/v1/sessions/{session['id']}/enrollment", {"licence": NUM},
                    as_="centre75"))
    event = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"][-1]
    assert event["type"] == "inscription" and "inscription_tardive" not in event["detail"]


def test_the_prefecture_records_a_late_enrolment_and_the_history_says_so(api):
    api.set_today("02/03/2026")
    case = _waiting_case(api)
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    api.set_today("08/06/2026")
    api.enroll(case["id"], session["id"], as_="agent")
    event = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"][-1]
    assert event["type"] == "inscription" and event["actor"] == "agent"
    assert event["detail"]["inscription_tardive"] is True
    assert api.case(case["id"])["status"] == "inscrit"


def test_R48_no_refund_for_a_course_recorded_after_the_deadline_passed_even_dated_before(api):
    """The deadline watch ruled the obligation not met (R21); a course dated before the deadline
    but enrolled in after it is credited (R26), the obligation stays not met and the fine is not
    refundable (API.md: « its points are credited, obligation is not_met, and no refund »)."""
    api.set_today("02/03/2026")
    case = _waiting_case(api)
    deadline = api.case(case["id"])["deadline"]
    assert deadline == "2026-07-02"
    session = api.session("15/06/2026", "16/06/2026")  # held before the deadline
    api.set_today("06/07/2026")
    api.run_timers()
    after = api.case(case["id"])["outcome"]
    assert after["obligation"] == "not_met" and after["referral"] == "candidate"
    assert after["refund"]["eligible"] is False
    # the case page says the referral is still to decide (it said « non », a QA finding)
    clerk = UiClient(api.app)
    clerk.login("agent")
    page = clerk.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True)
    assert "Signalement au parquet : à décider." in page
    api.complete(case["id"], "signalement_parquet", decision="ne_pas_signaler",
                 motif="premier manquement")
    assert api.case(case["id"])["status"] == "en_attente_inscription"
    api.enroll(case["id"], session["id"], as_="agent")  # late: the prefecture's correction
    api.attendance(session["id"], [(NUM, "present", "present")], as_="agent")
    api.attestation(case["id"], "06/07/2026")
    api.complete(case["id"], "verification_attestation", decision="valider", motif="")
    done = api.case(case["id"])["outcome"]
    assert done["points_credited"] == 3 and done["effect_on"] == "2026-06-17"
    assert done["obligation"] == "not_met"
    assert done["refund"]["eligible"] is False and done["refund"]["rule"] == "R48"
    assert "non remplie" in done["refund"]["reason"]


def test_R36_a_session_is_not_cancelled_on_a_day_after_its_own(api):
    """A QA finding: a session of 03–04/02/2027 was « annulée le 01/03/2027 »."""
    api.set_today("02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    path = f"/api/v1/sessions/{session['id']}/cancel"
    with unchanged():
        problem = assert_problem(api.post(path, {"on": "2026-06-07", "reason": "x"}), 422, "on")
    assert "06/06/2026" in problem["errors"]["on"][0]
    api.set_today("06/06/2026")  # cancelled on its second day, recorded that day (LD15)
    with unchanged():
        problem = assert_problem(api.post(path, {"on": "2026-06-07", "reason": "x"}), 422, "on")
    assert "06/06/2026" in problem["errors"]["on"][0]
    api.ok(api.post(path, {"on": "2026-06-06", "reason": "effectif insuffisant"}))
