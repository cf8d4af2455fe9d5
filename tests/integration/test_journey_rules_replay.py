"""`flask rules replay [--dry-run]` (issue 16): a stored outcome that the rules no longer give is
listed by the dry run and, on the real run, proposed on the case; an agent's acceptance applies
it, with a case event and a flag."""

from __future__ import annotations

from sqlalchemy import select

from services.db import db
from services.models import Case, CaseEvent

NUM = "120175200400"


def refused_at_review(api):
    case = api.case_at_review(NUM)
    return api.complete(case["id"], "examen_manuel", decision="refuser", motif="R32")


def test_R19_R48_rules_replay_dry_run_lists_real_run_proposes_then_accept_applies(app, api):
    case = refused_at_review(api)
    assert case["outcome"]["obligation"] == "pending"
    with app.app_context():  # what the rules gave before issue 16: met, refund eligible
        row = db.session.get(Case, case["id"])
        row.obligation = "met"
        row.refund = {"eligible": True, "amount": 135, "request_deadline": "2026-06-24"}
        db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["rules", "replay", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert case["reference"] in dry.output and "remboursement : remboursable (135 €)" in dry.output
    assert "1 dossier(s) changeraient (rien n'est enregistré)" in dry.output
    after_dry = api.case(case["id"])
    assert after_dry["outcome"]["obligation"] == "met"  # nothing applied
    assert after_dry["pending_change"] is None  # nothing proposed

    real = runner.invoke(args=["rules", "replay"])
    assert real.exit_code == 0, real.output
    assert "enregistrée, à valider" in real.output
    assert "1 changement(s) proposé(s) aux agents, rien n'est appliqué" in real.output
    proposed = api.case(case["id"])
    assert proposed["outcome"]["obligation"] == "met"  # still nothing applied
    assert proposed["pending_change"]["proposed_by"] == "rules-replay"

    again = runner.invoke(args=["rules", "replay"])
    assert "déjà proposé" in again.output and "0 changement(s) proposé(s)" in again.output

    now = api.ok(api.post(f"/api/v1/cases/{case['id']}/pending-change/accept",
                          {"proposal": proposed["pending_change"]["id"]}, as_="agent"))
    assert now["outcome"]["obligation"] == "pending"
    assert now["outcome"]["refund"]["eligible"] is False
    assert any("Résultat recalculé" in f["message"] for f in now["flags"])
    with app.app_context():
        types = db.session.scalars(select(CaseEvent.type).where(
            CaseEvent.case_id == case["id"])).all()
    assert "changement_propose" in types and "resultat_recalcule" in types

    after = runner.invoke(args=["rules", "replay", "--dry-run"])
    assert "0 dossier(s) changeraient" in after.output
