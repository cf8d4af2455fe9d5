"""409 when the current state does not allow a command, 403 when a centre acts on another
centre's sessions; each refusal is problem+json in French and stores nothing."""

from __future__ import annotations

import pytest

from tests.api_errors_support import CENTRE, NUM, OTHER_CENTRE, World, assert_problem, unchanged


@pytest.fixture
def w(api):
    return World(api)


def _cancel(api, session_id, as_="agent"):
    return api.post(f"/api/v1/sessions/{session_id}/cancel",
                    # cancelled today: a cancellation is never dated in the future (R36)
                    {"on": api.today().isoformat(), "reason": "effectif insuffisant"}, as_=as_)


# ---- 409: things that exist already -------------------------------------------------------------

def test_post_licences_existing_number_is_409(w):
    w.licence()
    body = {"number": NUM, "probation": "none", "obtained_on": "2010-01-01",
            "holder": {"last_name": "Autre", "first_name": "Jean", "birth_date": "1990-01-01"}}
    with unchanged():
        assert_problem(w.api.post("/api/v1/licences", body, as_="agent"), 409)


def test_post_centres_existing_agrement_is_409(w):
    body = {"agrement": CENTRE, "name": "Doublon", "departement": "75",
            "valid_until": "2031-12-31"}
    with unchanged():
        assert_problem(w.api.post("/api/v1/centres", body, as_="agent"), 409)


def test_post_cases_second_case_for_the_same_infraction_is_409(w):
    case = w.mandatory_case()
    body = {"kind": "obligatoire", "licence": NUM, "infraction": case["infraction"],
            "letter_48n": {"sent_on": "2026-02-25", "receipt": "signed",
                           "received_on": "2026-03-02"}}
    with unchanged():
        assert_problem(w.api.post("/api/v1/cases", body, as_="agent"), 409)


# ---- 409: enrollment ----------------------------------------------------------------------------

def test_post_enrollment_into_cancelled_session_is_409(w):
    case = w.mandatory_case()
    session = w.session()
    w.api.ok(_cancel(w.api, session["id"]))
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]})
        assert_problem(resp, 409)


def test_post_enrollment_into_full_session_is_409(w):
    case = w.mandatory_case()
    session = w.session(capacity=1, fill=1)
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]})
        assert_problem(resp, 409)


def test_post_enrollment_into_held_session_is_409(w):
    case = w.mandatory_case()
    session = w.session(fill=1)
    w.api.set_today("06/06/2026")
    w.api.attendance(session["id"], [])
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]})
        assert_problem(resp, 409)


def test_post_enrollment_on_invalidated_licence_is_409_citing_R42(w):
    case = w.mandatory_case()
    session = w.session()
    w.api.ok(w.api.post(f"/api/v1/licences/{NUM}/invalidation",
                        {"decision_on": "2026-03-01", "notified_on": "2026-03-02"}), 201)
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]})
        assert_problem(resp, 409, rule="R42")


def test_post_enrollment_twice_is_409(w):
    case = w.mandatory_case()
    session = w.session()
    w.api.enroll(case["id"], session["id"])
    other = w.session(day1="12/06/2026", day2="13/06/2026")
    with unchanged():
        for target in (session, other):
            resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment",
                              {"session": target["id"]})
            assert_problem(resp, 409)


# ---- 409: sessions ------------------------------------------------------------------------------

def test_post_cancel_on_cancelled_session_is_409(w):
    session = w.session()
    w.api.ok(_cancel(w.api, session["id"]))
    with unchanged():
        assert_problem(_cancel(w.api, session["id"]), 409)


def test_post_cancel_on_held_session_is_409(w):
    w.api.set_today("02/03/2026")
    session = w.session(fill=1)
    w.api.set_today("06/06/2026")
    w.api.attendance(session["id"], [])
    with unchanged():
        assert_problem(_cancel(w.api, session["id"]), 409)


def test_post_attendance_before_day2_is_409(w):
    case = w.mandatory_case()
    session = w.session()
    w.api.enroll(case["id"], session["id"])
    w.api.set_today("05/06/2026")
    body = {"records": [{"licence": NUM, "day1": "present", "day2": "present"}]}
    with unchanged():
        resp = w.api.post(f"/api/v1/sessions/{session['id']}/attendance", body, as_="centre75")
        assert_problem(resp, 409)


def test_post_attendance_twice_is_409(w):
    _case, session = w.attended_case("present", "present")
    body = {"records": [{"licence": NUM, "day1": "absent", "day2": "absent"}]}
    with unchanged():
        resp = w.api.post(f"/api/v1/sessions/{session['id']}/attendance", body)
        assert_problem(resp, 409)


def test_post_attendance_on_cancelled_session_is_409(w):
    session = w.session()
    w.api.ok(_cancel(w.api, session["id"]))
    w.api.set_today("06/06/2026")
    with unchanged():
        resp = w.api.post(f"/api/v1/sessions/{session['id']}/attendance", {"records": []})
        assert_problem(resp, 409)


# ---- 409: attestation ---------------------------------------------------------------------------

def test_post_attestation_when_none_was_issued_is_409(w):
    case, _session = w.attended_case("absent", "present")
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/attestation",
                          {"received_on": "2026-06-06"}, as_="agent")
        assert_problem(resp, 409)


def test_post_attestation_before_any_course_is_409(w):
    case = w.mandatory_case()
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/attestation",
                          {"received_on": "2026-03-02"}, as_="agent")
        assert_problem(resp, 409)


def test_post_attestation_twice_is_409(w):
    case, _task = w.verification_task()
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/attestation",
                          {"received_on": "2026-06-10"}, as_="agent")
        assert_problem(resp, 409)


# ---- 409: tasks ---------------------------------------------------------------------------------

def test_post_task_complete_twice_is_409(w):
    _case, task = w.verification_task()
    w.api.ok(w.api.post(f"/api/v1/tasks/{task['id']}/complete",
                        {"data": {"decision": "valider"}}, as_="agent"))
    with unchanged():
        for action, body in (("complete", {"data": {"decision": "valider"}}),
                             ("claim", None), ("unclaim", None)):
            resp = w.api.post(f"/api/v1/tasks/{task['id']}/{action}", body, as_="agent")
            assert_problem(resp, 409)


@pytest.mark.parametrize(("action", "body"), [
    ("claim", None), ("unclaim", None), ("complete", {"data": {"decision": "valider"}}),
])
def test_post_task_claimed_by_someone_else_is_409(w, action, body):
    _case, task = w.verification_task()
    w.api.ok(w.api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent2"))
    with unchanged():
        resp = w.api.post(f"/api/v1/tasks/{task['id']}/{action}", body, as_="agent")
        assert_problem(resp, 409)


def test_post_task_complete_with_bad_data_keeps_the_task_open(w):
    case, task = w.verification_task()
    with unchanged():
        resp = w.api.post(f"/api/v1/tasks/{task['id']}/complete",
                          {"data": {"decision": "refuser"}}, as_="agent")
        assert_problem(resp, 422, "data.motif")
    assert w.api.task(case["id"], "verification_attestation")["assignee"] is None


# ---- 409: clock ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [{"today": "2026-03-01"}, {"now": "2026-03-01T23:59:59+01:00"}],
                         ids=["today", "now"])
def test_put_clock_backwards_is_409(w, body):
    w.api.set_today("02/03/2026")
    with unchanged():
        assert_problem(w.api.request("PUT", "/api/v1/clock", body), 409)


def test_put_clock_same_instant_again_is_200(w):
    w.api.set_today("02/03/2026")
    with unchanged():
        assert w.api.set_today("02/03/2026")["today"] == "2026-03-02"


# ---- 403: a centre acts only on its own centre's sessions ---------------------------------------

def test_centre_user_get_other_centres_session_is_403(w):
    session = w.session()
    assert_problem(w.api.get(f"/api/v1/sessions/{session['id']}", as_="centre93"), 403)
    w.api.ok(w.api.get(f"/api/v1/sessions/{session['id']}", as_="centre75"))


def test_centre_user_get_other_centre_is_403(w):
    assert_problem(w.api.get(f"/api/v1/centres/{CENTRE}", as_="centre93"), 403)
    w.api.ok(w.api.get(f"/api/v1/centres/{OTHER_CENTRE}", as_="centre93"))


def test_centre_user_does_not_list_other_centres_sessions(w):
    w.session()
    page = w.api.ok(w.api.get("/api/v1/sessions", as_="centre93", centre=CENTRE))
    assert page["items"] == [] and page["total"] == 0


def test_centre_user_cancel_other_centres_session_is_403(w):
    session = w.session()
    with unchanged():
        assert_problem(_cancel(w.api, session["id"], as_="centre93"), 403)


def test_centre_user_attendance_on_other_centres_session_is_403(w):
    case = w.mandatory_case()
    session = w.session()
    w.api.enroll(case["id"], session["id"])
    w.api.set_today("06/06/2026")
    body = {"records": [{"licence": NUM, "day1": "present", "day2": "present"}]}
    with unchanged():
        resp = w.api.post(f"/api/v1/sessions/{session['id']}/attendance", body, as_="centre93")
        assert_problem(resp, 403)


def test_centre_user_enrollment_into_other_centres_session_is_403(w):
    case = w.mandatory_case()
    session = w.session()
    with unchanged():
        resp = w.api.post(f"/api/v1/cases/{case['id']}/enrollment", {"session": session["id"]},
                          as_="centre93")
        assert_problem(resp, 403)


def test_centre_user_creating_session_for_other_centre_is_403(w):
    body = {"centre": CENTRE, "day1": "2026-06-12", "day2": "2026-06-13", "capacity": 20}
    with unchanged():
        assert_problem(w.api.post("/api/v1/sessions", body, as_="centre93"), 403)
    w.api.ok(w.api.post("/api/v1/sessions", body, as_="centre75"), 201)
