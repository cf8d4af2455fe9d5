"""The deadline watch's conformity news (R19) through the HTTP API: one journey end to end. The
facts the BPMN reads and the other conformity checks run on the services in
tests/service/test_facts.py."""

from __future__ import annotations

from services import cases, journey

NUM = "120175200321"


def _attended_case(api, session_days=("05/06/2026", "06/06/2026"), day2="present",
                   attendance_on=None):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")  # deadline 10/07/2026 (D1)
    session = api.session(*session_days)
    api.enroll(case["id"], session["id"])
    api.set_today(attendance_on or session_days[1])
    return case, session


def test_R19_conformity_unchanged_by_an_attended_course_after_the_deadline(api):
    # the course ends on the deadline day; its attendance is recorded after the deadline fired
    case, session = _attended_case(api, ("09/07/2026", "10/07/2026"), attendance_on="11/07/2026")
    assert api.run_timers() == 1
    assert journey.conformity_now(cases.get(case["id"])) == "en_attente"
    api.attendance(session["id"], [(NUM, "present", "present")])
    case = api.case(case["id"])
    assert case["outcome"]["referral"] is None  # still pending: the watch was not woken
    assert [t["key"] for t in case["tasks"]] == []
    api.attestation(case["id"], "11/07/2026")
    case = api.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"  # validated: the watch learns it and ends
    assert case["closed"] is True
