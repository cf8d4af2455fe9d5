"""The facts the BPMN reads (`dossier`) and the conformity news of the deadline watch (R19), on
the services: what tests/integration/test_journey_facts.py checked with an HTTP set-up.

Facts are computed on first read, but a run must see them as they were when it was restored:
every fact not read yet is computed before an action changes the case. The deadline watch is
told `conformite_connue` when a command changed the conformity, and only then."""

from __future__ import annotations

from services import cases, journey
from services.db import db
from workflows import FACT_KEYS

NUM = "120175200321"


def _attended_case(world, session_days=("05/06/2026", "06/06/2026"), attendance_on=None):
    world.licence(NUM)
    inf = world.infraction(NUM, "01/02/2026")
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")  # deadline 10/07/2026 (D1)
    session = world.session(*session_days)
    world.enroll(case["id"], session["id"])
    world.set_today(attendance_on or session_days[1])
    return case, session


def test_facts_follow_the_contract_and_the_case(world):
    case, session = _attended_case(world)
    world.attendance(session["id"], [(NUM, "present", "present")])
    facts = dict(journey.Facts(cases.get(case["id"])))
    assert tuple(facts) == FACT_KEYS
    assert facts == {"echeance_timer": "2026-07-11T00:00:00+02:00",
                     "attestation_delivree": True, "conformite": "en_attente",
                     "examen_manuel_requis": False, "stage_a_crediter": True}


def test_an_action_settles_the_facts_before_it_changes_the_case(world):
    case, session = _attended_case(world)
    world.attendance(session["id"], [(NUM, "present", "present")])
    obj = cases.get(case["id"])
    ctx = journey.context(obj, "tests")
    ctx.actions["decider_remboursement"]()  # nothing read yet: the action settles them all
    obj.enrollments[-1].verification = "valider"  # what a later change would do (R19)
    assert journey.Facts(obj)["conformite"] == "conforme"
    assert ctx.facts["conformite"] == "en_attente"  # the run still sees the restored state
    db.session.rollback()


def test_R19_conformity_unchanged_by_an_attended_course_after_the_deadline(world):
    # the course ends on the deadline day; its attendance is recorded after the deadline fired
    case, session = _attended_case(world, ("09/07/2026", "10/07/2026"),
                                   attendance_on="11/07/2026")
    assert world.run_timers() == 1
    assert journey.conformity_now(cases.get(case["id"])) == "en_attente"
    world.attendance(session["id"], [(NUM, "present", "present")])
    case = world.case(case["id"])
    assert case["outcome"]["referral"] is None  # still pending: the watch was not woken
    assert [t["key"] for t in case["tasks"]] == []
    world.attestation(case["id"], "11/07/2026")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["outcome"]["obligation"] == "met"  # validated: the watch learns it and ends
    assert case["closed"] is True


def test_R19_R21_R34_absence_after_the_deadline_changes_conformity_and_is_declared(world):
    case, session = _attended_case(world, ("09/07/2026", "10/07/2026"),
                                   attendance_on="11/07/2026")
    assert world.run_timers() == 1
    world.attendance(session["id"], [(NUM, "present", "absent")])  # no attestation (R34)
    case = world.case(case["id"])
    assert case["outcome"]["obligation"] == "not_met"
    assert case["outcome"]["referral"] == "candidate"
    assert [t["key"] for t in case["tasks"]] == ["signalement_parquet"]


def test_R19_conformity_changed_needs_a_different_value(world):
    case, _ = _attended_case(world)
    obj = cases.get(case["id"])
    now = journey.conformity_now(obj)
    assert now == "en_attente"  # enrolled in a planned session ending before the deadline
    assert journey.conformity_changed(obj, None) is True
    assert journey.conformity_changed(obj, now) is False
    assert journey.conformity_changed(obj, "non_conforme") is True
