"""48N receipt variants (D11, R15, R17) and invalidation (R6, R42, Q8) on the services: what
tests/integration/test_journey_letters_and_invalidation.py checked through the API."""

from __future__ import annotations

import pytest

from services.errors import Conflict, Invalid
from tests.service.world import day

NUM = "120175200300"


def licence_with_infraction(world, points=3):
    world.licence(NUM, obtained="01/09/2025")
    return world.infraction(NUM, "01/02/2026", points=points)


def test_D11_R17_unclaimed_48n_deadline_runs_from_first_presentation(world):
    inf = licence_with_infraction(world)
    world.set_today("20/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "12/03/2026", receipt="unclaimed")
    assert case["deadline"] == day("12/07/2026")
    assert any(f["rule"] == "R17" for f in case["flags"])
    assert case["timers"][0]["name"] == "echeance_4_mois"


def test_D11_R17_npai_48n_no_deadline_and_course_goes_to_manual_review(world):
    inf = licence_with_infraction(world)
    world.set_today("20/03/2026")
    case = world.mandatory_case(NUM, inf["id"], None, receipt="npai", sent="10/03/2026")
    assert case["deadline"] is None
    assert case["timers"] == []
    assert any(f["rule"] == "R17" for f in case["flags"])
    world.set_today("01/01/2027")
    assert world.run_timers() == 0
    assert world.case(case["id"])["outcome"]["referral"] is None

    session = world.session("08/01/2027", "09/01/2027")
    world.enroll(case["id"], session["id"])
    world.set_today("09/01/2027")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "09/01/2027")
    case = world.complete(case["id"], "verification_attestation", decision="valider")
    assert case["status"] == "examen_manuel"
    case = world.complete(case["id"], "examen_manuel", decision="crediter", motif="")
    assert case["outcome"]["points_credited"] == 3


def test_D11_npai_letter_with_received_date_is_refused(world):
    inf = licence_with_infraction(world)
    world.set_today("20/03/2026")
    with pytest.raises(Invalid) as refused:
        world.mandatory_case(NUM, inf["id"], "10/03/2026", receipt="npai", sent="05/03/2026")
    assert "letter_48n.received_on" in refused.value.errors
    assert world.cases_total() == 0


def test_R42_Q8_invalidation_notified_before_the_course(world):
    inf = licence_with_infraction(world)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = world.session("05/06/2026", "06/06/2026")
    world.set_today("01/04/2026")
    world.invalidation(NUM, "25/03/2026", "01/04/2026")
    case = world.case(case["id"])
    assert [t["key"] for t in case["tasks"]] == ["examen_manuel"]
    assert case["outcome"]["obligation"] == "manual_review"
    assert case["timers"] == []  # Q8: no automatic referral
    with pytest.raises(Conflict, match="R42"):
        world.enroll(case["id"], session["id"])
    assert world.licence_view(NUM)["valid"] is False
    case = world.complete(case["id"], "examen_manuel", decision="refuser",
                          motif="Permis invalidé avant tout stage")
    assert case["closed"] is True
    # a new case cannot be opened on an invalid licence (R42)
    with pytest.raises(Invalid, match="R42"):
        world.voluntary_case(NUM)


def test_R15_infraction_of_two_points_does_not_trigger_48n(world):
    world.licence(NUM, obtained="01/09/2025")
    inf = world.infraction(NUM, "01/02/2026", points=2)
    assert inf["triggers_48n"] is False
    world.set_today("20/03/2026")
    with pytest.raises(Invalid, match="R15"):
        world.mandatory_case(NUM, inf["id"], "10/03/2026", sent="05/03/2026")
    assert world.cases_total() == 0
