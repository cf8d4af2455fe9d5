"""Un-enrolment of one trainee before the session starts (docs/legal-decisions.md LD16), on the
services: the case goes back to waiting for an enrolment with its deadline unchanged, and the
rest of its journey runs as if it had never been enrolled (the deadline watch, a course
elsewhere, the attendance sheet of the session it left)."""

from __future__ import annotations

import pytest

from services.errors import Conflict, Invalid
from tests.service.world import day

NUM = "120175200123"
REASON = "Désistement du stagiaire"


def enrolled_case(world, days=("05/06/2026", "06/06/2026"), fill=5):
    """A 48N case received on 10/03/2026 (deadline 10/07/2026, D1) enrolled in a session."""
    world.licence(NUM)
    inf = world.infraction(NUM, "01/02/2026", points=3)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = world.session(*days, fill=fill)
    case = world.enroll(case["id"], session["id"])
    assert case["status"] == "inscrit"
    return case, session


def test_LD16_R21_D1_an_unenrolled_case_meets_its_unchanged_deadline_without_a_course(world):
    """Un-enrolled from a session that ended before the deadline, the case does not wait for
    that session any more: the day after the deadline it is a referral candidate (R21)."""
    case, session = enrolled_case(world)
    world.set_today("02/05/2026")
    world.unenrol(session["id"], case["id"], REASON)
    case = world.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert case["deadline"] == day("10/07/2026") and case["session"] is None
    world.set_today("11/07/2026")
    world.run_timers()
    case = world.case(case["id"])
    assert case["outcome"]["obligation"] == "not_met"
    assert case["outcome"]["referral"] == "candidate"
    assert world.task(case["id"], "signalement_parquet")


def test_LD16_R19_a_course_followed_elsewhere_after_an_unenrolment_meets_the_obligation(world):
    case, session = enrolled_case(world)
    world.unenrol(session["id"], case["id"], REASON, as_="centre75")
    elsewhere = world.session("12/06/2026", "13/06/2026")
    world.enroll(case["id"], elsewhere["id"])
    world.set_today("13/06/2026")
    world.attendance(elsewhere["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "13/06/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met" and case["outcome"]["points_credited"] == 3
    assert case["outcome"]["refund"]["eligible"] is True


def test_LD16_R34_the_session_it_left_is_held_without_it(world):
    """The attendance sheet lists the trainees still enrolled: the one who left is not on it
    (naming it is refused) and its case is untouched by the session's result."""
    case, session = enrolled_case(world)
    world.unenrol(session["id"], case["id"], REASON)
    world.set_today("06/06/2026")
    with pytest.raises(Invalid) as refused:
        world.attendance(session["id"], [(NUM, "present", "present")])
    assert "records.0.licence" in refused.value.errors
    view = world.attendance(session["id"], [])
    assert view["status"] == "held"
    statuses = {e["case"]: e["status"] for e in view["enrollments"]}
    assert statuses[case["id"]] == "cancelled"
    assert set(statuses.values()) == {"cancelled", "attended"}
    case = world.case(case["id"])
    assert case["status"] == "en_attente_inscription"
    assert "presence_enregistree" not in [e["type"] for e in world.events(case["id"])]


def test_LD16_the_history_says_who_when_why_and_a_second_unenrolment_is_refused(world):
    case, session = enrolled_case(world, fill=0)
    world.unenrol(session["id"], case["id"], "  Erreur de saisie du permis  ", as_="agent")
    (event,) = [e for e in world.events(case["id"]) if e["type"] == "desinscription"]
    assert event["actor"] == "agent"
    assert event["detail"]["reason"] == "Erreur de saisie du permis"
    assert event["detail"]["regle"] == "LD16" and event["detail"]["session"] == session["id"]
    assert "« Erreur de saisie du permis »" in event["detail"]["message"]
    with pytest.raises(Conflict):
        world.unenrol(session["id"], case["id"], REASON)


def test_LD16_LD4_a_case_closed_after_its_unenrolment_releases_no_seat_again(world):
    """The seat was given back at the un-enrolment: the case's closing (a manual review after a
    48SI, Q8) finds none to release."""
    case, session = enrolled_case(world, fill=0)
    world.unenrol(session["id"], case["id"], REASON)
    world.set_today("01/04/2026")
    world.invalidation(NUM, "01/04/2026", "01/04/2026")
    case = world.complete(case["id"], "examen_manuel", decision="refuser",
                          motif="Permis invalidé avant tout stage")
    assert case["closed"] is True
    types = [e["type"] for e in world.events(case["id"])]
    assert "desinscription" in types and "inscription_liberee" not in types
