"""The rules replay (issue 16) on the services: a stored outcome that the rules no longer give is
listed by the dry run and, on the real run, changed with a case event and a flag. The command
line's words stay in tests/integration/test_journey_rules_replay.py."""

from __future__ import annotations

from services import replay
from services.db import db
from services.models import Case

NUM = "120175200400"


def refused_at_review(world):
    world.licence(NUM, obtained="01/09/2025")
    inf = world.infraction(NUM, "01/02/2026", points=3)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = world.session("05/06/2026", "06/06/2026", fill=0)
    world.enroll(case["id"], session["id"])
    world.set_today("06/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])  # 1 trainee: R32 review
    world.attestation(case["id"], "06/06/2026")
    world.complete(case["id"], "verification_attestation", decision="valider")
    return world.complete(case["id"], "examen_manuel", decision="refuser", motif="R32")


def _replay(dry_run: bool) -> list[tuple[str, list[str]]]:
    found = [(case.reference, [c["text"] for c in changes])
             for case, changes in replay.replay_all("rules-replay", dry_run, "rejeu")]
    db.session.remove()
    return found


def test_R19_R48_rules_replay_dry_run_lists_then_real_run_applies_with_event_and_flag(world):
    case = refused_at_review(world)
    assert case["outcome"]["obligation"] == "pending"
    row = db.session.get(Case, case["id"])  # what the rules gave before issue 16
    row.obligation = "met"
    row.refund = {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
    db.session.commit()
    db.session.remove()

    dry = _replay(dry_run=True)
    assert [ref for ref, _ in dry] == [case["reference"]]
    assert "remboursement : remboursable (135 €)" in " ".join(dry[0][1])
    assert world.case(case["id"])["outcome"]["obligation"] == "met"  # nothing applied

    assert [ref for ref, _ in _replay(dry_run=False)] == [case["reference"]]
    now = world.case(case["id"])
    assert now["outcome"]["obligation"] == "pending"
    assert now["outcome"]["refund"]["eligible"] is False
    assert any("Résultat recalculé" in f["message"] for f in now["flags"])
    assert "resultat_recalcule" in [e["type"] for e in world.events(case["id"])]

    assert _replay(dry_run=True) == []
