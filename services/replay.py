"""Replay a case's ledger and outcome under the rules as they are now (issue 16).

What the rules compute live (the ledger, the credit) changes as soon as a rule or a late fact
changes; what a command stored when it decided (the 48N trigger of the infraction, the refund,
the obligation) does not. `changes` compares the two; `apply` stores the recomputed values, and
records a case event ("resultat_recalcule") and a flag on the case, so the clerk sees what
changed and why on the case itself. `flask rules replay --dry-run` lists the changes before any
is applied.
"""

from __future__ import annotations

from sqlalchemy import select

from services import audit, licence_ledger, outcome
from services.clock import clock
from services.db import command, db, many_commands
from services.models import Case, CaseEvent
from services.rules import eligibility
from services.rules import ledger as rl
from services.rules.explain import fr_date
from services.settings import rules_config


def _refund_text(refund: dict | None) -> str:
    if not refund:
        return "aucun"
    if refund.get("eligible"):
        amount = refund.get("amount")
        return f"remboursable ({amount} €)" if amount is not None else "remboursable"
    return f"refusé ({refund.get('rule')})"


def _trigger(case: Case):
    inf = case.infraction
    if inf is None:
        return None
    lic = case.licence
    facts = licence_ledger.retrait_facts(lic)
    mine = licence_ledger.retrait_of(inf)
    others = [r for r in facts if r.ref != mine.ref]
    cfg = rules_config()
    courses = licence_ledger.credited_courses(lic)
    invals = licence_ledger.invalidation_facts(lic)
    before = rl.replay(licence_ledger.licence_facts(lic), others, courses, invals, cfg)
    after = rl.replay(licence_ledger.licence_facts(lic), facts, courses, invals, cfg)
    same_day = [r for r in others if r.committed_on == mine.committed_on]
    return eligibility.triggers_48n(licence_ledger.licence_facts(lic), mine, before, same_day, cfg,
                                    ledger_after=after)


def _last_credit_event(case: Case) -> dict | None:
    return db.session.scalars(
        select(CaseEvent.detail).where(CaseEvent.case_id == case.id,
                                       CaseEvent.type == "points_credites")
        .order_by(CaseEvent.id.desc()).limit(1)).first()


def changes(case: Case) -> list[dict]:
    """What would change on this case: [{"field", "before", "after", "rule", "text"}]."""
    out: list[dict] = []
    inf = case.infraction
    if case.kind == "obligatoire" and inf is not None:
        decision = _trigger(case)
        if decision is not None and decision.ok != inf.triggers_48n:
            out.append({"field": "triggers_48n", "before": inf.triggers_48n,
                        "after": decision.ok, "rule": decision.rules[-1],
                        "text": ("lettre 48N : " + ("due" if decision.ok else "non due")
                                 + f" ({decision.text})")})
    if case.refund is not None:
        now = outcome.refund_for(case)
        if now != case.refund:
            out.append({"field": "refund", "before": case.refund, "after": now,
                        "rule": (now or {}).get("rule") or "R48",
                        "text": f"remboursement : {_refund_text(case.refund)} → "
                                f"{_refund_text(now)}"})
    enr = case.credited_enrollment
    if enr is not None and enr.credit_decision is not None:
        last = _last_credit_event(case)
        credit = outcome.credit_for(case)
        if last is not None and last.get("points") != credit["points_credited"]:
            out.append({"field": "points_credited", "before": last.get("points"),
                        "after": credit["points_credited"],
                        "rule": (credit["credit_refusal"] or {}).get("rule") or "R26",
                        "text": f"points crédités : {last.get('points')} → "
                                f"{credit['points_credited']}"})
        if (case.kind == "obligatoire" and case.obligation == "met"
                and enr.credit_decision == "refuser" and enr.review_obligation != "remplie"):
            out.append({"field": "obligation", "before": "met", "after": "pending",
                        "rule": "R19",
                        "text": "obligation : remplie → en attente (stage refusé, R19)"})
    return out


def apply(case: Case, actor: str, found: list[dict], why: str) -> None:
    """Store the recomputed values; the case history and a flag say what changed and why."""
    if not found:
        return
    today = clock().today()
    for c in found:
        if c["field"] == "triggers_48n":
            case.infraction.triggers_48n = c["after"]
        elif c["field"] == "refund":
            case.refund = c["after"]
        elif c["field"] == "obligation":
            case.obligation = c["after"]
        case.add_flag(c["rule"], f"Résultat recalculé le {fr_date(today)} ({why}) : {c['text']}")
    audit.record(case, "resultat_recalcule", actor, motif=why,
                 changements=[{k: v for k, v in c.items() if k != "rule"} for c in found])


@many_commands
def replay_all(actor: str, dry_run: bool, why: str = "rejeu des règles"):
    """Yield (case, changes) for every case whose outcome would change; unless dry, each case's
    changes are applied and recorded as its own command."""
    ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
    for case_id in ids:
        if dry_run:
            case = db.session.get(Case, case_id)
            found = changes(case)
        else:
            case, found = _replay_case(case_id, actor, why)
        if found:
            yield case, found
    if dry_run:
        db.session.rollback()  # nothing to keep: end the read


@command
def _replay_case(case_id: int, actor: str, why: str) -> tuple[Case, list[dict]]:
    case = db.session.get(Case, case_id)
    found = changes(case)
    apply(case, actor, found, why)
    return case, found


def after_late_fact(licence, actor: str, why: str) -> None:
    """A fact registered late (a 48SI, a retrait) can change a decided case: apply and say so."""
    cases = db.session.scalars(select(Case).where(Case.licence_id == licence.id)).all()
    for case in cases:
        if case.refund is not None:
            apply(case, actor, [c for c in changes(case) if c["field"] == "refund"], why)
