"""LD4 (QA pass): a case that closes gives back its seat in a session that has not started yet
(the session's count, capacity and R32 group size, is the trainees still expected) and its
history says so; in a session already started the enrolment stays (attendance may still be
declared, R34)."""

from __future__ import annotations

NUM = "120175200123"
OTHER = "120175200124"


def _closed_by_review(api, session_days=("05/06/2026", "06/06/2026"), notified="01/04/2026",
                      capacity=1):
    """A 48N case enrolled in a session of `capacity` seats, then closed by the manual review
    a 48SI opens (Q8, R42)."""
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = api.session(*session_days, capacity=capacity, fill=0)
    api.enroll(case["id"], session["id"])
    api.set_today(notified)
    iso = "-".join(reversed(notified.split("/")))
    api.ok(api.post(f"/api/v1/licences/{NUM}/invalidation",
                    {"decision_on": iso, "notified_on": iso}), 201)
    case = api.complete(case["id"], "examen_manuel", decision="refuser",
                        motif="Permis invalidé avant tout stage")
    assert case["closed"] is True
    return case, session


def _statuses(api, session_id):
    session = api.ok(api.get(f"/api/v1/sessions/{session_id}"))
    return [e["status"] for e in session["enrollments"]]


def test_LD4_R32_a_case_closed_before_its_session_releases_its_seat(api):
    case, session = _closed_by_review(api)
    assert _statuses(api, session["id"]) == ["cancelled"]
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    released = [e for e in events if e["type"] == "inscription_liberee"]
    assert len(released) == 1 and released[0]["detail"]["session"] == session["id"]
    assert "sa place est libérée" in released[0]["detail"]["message"]
    # the only seat is free again: another trainee takes it
    api.licence(OTHER, obtained="01/01/2015", probation="none", points=8, on="01/01/2026")
    other = api.voluntary_case(OTHER)
    api.enroll(other["id"], session["id"])


def test_LD4_a_session_already_started_keeps_the_closed_cases_enrolment(api):
    case, session = _closed_by_review(api, ("03/04/2026", "04/04/2026"), notified="03/04/2026")
    assert _statuses(api, session["id"]) == ["enrolled"]
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert "inscription_liberee" not in [e["type"] for e in events]
