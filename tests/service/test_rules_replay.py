"""The rules replay (issue 16) on the services: a stored outcome that the rules no longer give is
listed by the dry run and, on the real run, PROPOSED on the case; it applies only when an agent
accepts it (or is set aside with a reason). The command line's words stay in
tests/integration/test_journey_rules_replay.py, the HTTP error paths in
tests/integration/test_api_pending_change.py."""

from __future__ import annotations

import pytest

from services import replay
from services.db import db
from services.errors import Conflict, Invalid, NotFound
from services.models import Case, CaseProposal

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


def stale_outcome(world) -> dict:
    """A case whose stored outcome is what the rules gave before issue 16: met, refundable."""
    case = refused_at_review(world)
    assert case["outcome"]["obligation"] == "pending"
    row = db.session.get(Case, case["id"])
    row.obligation = "met"
    row.refund = {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
    db.session.commit()
    db.session.remove()
    return case


def _replay(dry_run: bool, why: str = "rejeu") -> list[tuple[str, list[str], bool]]:
    found = [(case.reference, [c["text"] for c in changes], new)
             for case, changes, _p, new in replay.replay_all("rules-replay", dry_run, why)]
    db.session.remove()
    return found


def _call(fn, *args):
    try:
        return fn(*args)
    finally:
        db.session.remove()


def test_R19_R48_replay_proposes_and_nothing_applies_before_a_clerk_accepts(world):
    case = stale_outcome(world)

    dry = _replay(dry_run=True)
    assert [ref for ref, _, _ in dry] == [case["reference"]]
    assert "remboursement : remboursable (135 €)" in " ".join(dry[0][1])
    assert world.case(case["id"])["pending_change"] is None  # the dry run records nothing

    assert [(ref, new) for ref, _, new in _replay(dry_run=False)] == [(case["reference"], True)]
    proposed = world.case(case["id"])
    assert proposed["outcome"]["obligation"] == "met"  # nothing applied yet
    assert proposed["outcome"]["refund"]["eligible"] is True
    pc = proposed["pending_change"]
    assert pc["reason"] == "rejeu" and pc["proposed_by"] == "rules-replay"
    assert {c["field"] for c in pc["changes"]} == {"refund", "obligation"}
    obligation = next(c for c in pc["changes"] if c["field"] == "obligation")
    assert (obligation["before"], obligation["after"], obligation["rule"]) == ("met", "pending",
                                                                               "R19")
    assert any(f["rule"] == "R19" and f["message"].startswith("Changement de résultat à valider")
               for f in proposed["flags"])
    assert "changement_propose" in [e["type"] for e in world.events(case["id"])]

    # the same replay again proposes nothing new
    assert [new for _, _, new in _replay(dry_run=False)] == [False]
    assert db.session.query(CaseProposal).count() == 1
    db.session.remove()

    _call(replay.accept, case["id"], "agent", pc["id"])
    now = world.case(case["id"])
    assert now["pending_change"] is None
    assert now["outcome"]["obligation"] == "pending"
    assert now["outcome"]["refund"]["eligible"] is False
    assert any("Résultat recalculé" in f["message"] and "validé par agent" in f["message"]
               for f in now["flags"])
    assert not any(f["message"].startswith("Changement de résultat à valider")
                   for f in now["flags"])
    accepted = [e for e in world.events(case["id"]) if e["type"] == "resultat_recalcule"]
    assert accepted and accepted[-1]["actor"] == "agent"
    assert accepted[-1]["detail"]["proposition"] == pc["id"]

    assert _replay(dry_run=True) == []
    with pytest.raises(Conflict):  # nothing pending any more
        _call(replay.accept, case["id"], "agent2", None)


def test_R48_dismissed_change_keeps_the_outcome_with_the_clerks_reason_and_is_not_reproposed(world):
    case = stale_outcome(world)
    _replay(dry_run=False)
    with pytest.raises(Invalid) as exc:
        _call(replay.dismiss, case["id"], "agent", "  ", None)
    assert "motif" in exc.value.errors
    assert world.case(case["id"])["pending_change"] is not None  # nothing changed

    _call(replay.dismiss, case["id"], "agent", "Remboursement déjà versé par le comptable", None)
    now = world.case(case["id"])
    assert now["pending_change"] is None
    assert now["outcome"]["obligation"] == "met" and now["outcome"]["refund"]["eligible"] is True
    ecarte = [e for e in world.events(case["id"]) if e["type"] == "changement_ecarte"]
    assert ecarte[-1]["detail"]["motif"] == "Remboursement déjà versé par le comptable"
    # the dry run still lists the difference; the real run does not propose it again
    assert len(_replay(dry_run=True)) == 1
    assert [new for _, _, new in _replay(dry_run=False)] == [False]
    assert world.case(case["id"])["pending_change"] is None


def test_R48_newer_replay_replaces_the_pending_proposal_and_the_history_says_so(world):
    case = stale_outcome(world)
    _replay(dry_run=False)
    first = world.case(case["id"])["pending_change"]
    row = db.session.get(Case, case["id"])  # the stored outcome moves: the changes differ now
    row.obligation = "pending"
    db.session.commit()
    db.session.remove()
    assert [new for _, _, new in _replay(dry_run=False, why="nouvelle règle")] == [True]
    second = world.case(case["id"])["pending_change"]
    assert second["id"] != first["id"] and second["reason"] == "nouvelle règle"
    assert [c["field"] for c in second["changes"]] == ["refund"]
    replaced = [e for e in world.events(case["id"]) if e["type"] == "changement_remplace"]
    assert replaced and replaced[-1]["detail"]["proposition"] == first["id"]
    assert db.session.get(CaseProposal, first["id"]).state == "superseded"
    db.session.remove()
    with pytest.raises(Conflict) as exc:  # the clerk accepts what they read: replaced
        _call(replay.accept, case["id"], "agent", first["id"])
    assert "remplacée" in exc.value.detail
    _call(replay.accept, case["id"], "agent", second["id"])
    assert world.case(case["id"])["outcome"]["refund"]["eligible"] is False


def test_R48_accept_refused_when_the_case_changed_since_the_proposal(world):
    case = stale_outcome(world)
    _replay(dry_run=False)
    row = db.session.get(Case, case["id"])
    row.refund = {"eligible": False, "rule": "R48"}
    db.session.commit()
    db.session.remove()
    with pytest.raises(Conflict) as exc:
        _call(replay.accept, case["id"], "agent", None)
    assert "a changé depuis la proposition" in exc.value.detail
    # a clerk reads it: what they can do, and who replays the rules (no command to run)
    assert "Écartez-la" in exc.value.detail and "administrateur" in exc.value.detail
    assert "flask" not in exc.value.detail
    assert world.case(case["id"])["outcome"]["obligation"] == "met"  # nothing applied


def test_accept_unknown_case_is_not_found(world):
    with pytest.raises(NotFound):
        _call(replay.accept, 999999, "agent", None)


def credited_then_48si_registered_late(world) -> dict:
    """A course credited and its refund decided, then a 48SI notified before the course is
    registered (registration lags): R42 refuses the points and the refund (LD3)."""
    world.licence(NUM, obtained="01/09/2025")
    inf = world.infraction(NUM, "01/02/2026", points=3)
    world.set_today("10/03/2026")
    case = world.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = world.session("05/06/2026", "06/06/2026")
    world.enroll(case["id"], session["id"])
    world.set_today("08/06/2026")
    world.attendance(session["id"], [(NUM, "present", "present")])
    world.attestation(case["id"], "08/06/2026")
    decided = world.complete(case["id"], "verification_attestation", decision="valider")
    return decided


def test_R42_LD8_late_48si_refusing_a_refund_applies_at_once_and_replaces_a_pending_proposal(
        world):
    case = credited_then_48si_registered_late(world)
    assert case["outcome"]["refund"]["eligible"] is True
    row = db.session.get(Case, case["id"])  # a stale proposal waiting on the case
    replay.propose(row, "rules-replay", [{"field": "obligation", "before": row.obligation,
                                          "after": "pending", "rule": "R19", "text": "x"}], "rejeu")
    db.session.commit()
    db.session.remove()
    old = world.case(case["id"])["pending_change"]
    assert old is not None

    world.invalidation(NUM, "25/05/2026", "01/06/2026")
    now = world.case(case["id"])
    assert now["outcome"]["refund"]["eligible"] is False  # bound by R42: no clerk's validation
    assert now["outcome"]["refund"]["rule"] == "R42"
    assert any(f["rule"] == "R42" and "R42 appliquée sans validation (décision LD8)"
               in f["message"] for f in now["flags"])
    events = world.events(case["id"])
    auto = [e for e in events if e["type"] == "resultat_recalcule"]
    assert auto and auto[-1]["detail"]["automatique"] is True
    assert auto[-1]["detail"]["points"] == 0  # the credit refused under R42 is recorded too
    assert now["outcome"]["points_credited"] == 0
    assert _replay(dry_run=True) == []  # nothing left for a replay to propose
    # the stale proposal started from the old refund: withdrawn, and the history says so
    assert now["pending_change"] is None
    assert any(e["type"] == "changement_remplace" and e["detail"]["proposition"] == old["id"]
               for e in events)
