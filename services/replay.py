"""Replay a case's ledger and outcome under the rules as they are now (issue 16).

What the rules compute live (the ledger, the credit) changes as soon as a rule or a late fact
changes; what a command stored when it decided (the 48N trigger of the infraction, the refund,
the obligation) does not. `changes` compares the two. A clerk sees such a change before it
applies: `propose` stores it as the case's pending proposal (a newer one replaces it), shown on
the case and in the task list; `accept` applies it (event "resultat_recalcule" and a flag),
`dismiss` sets it aside with a reason. `flask rules replay --dry-run` lists the changes, the
real run proposes them. One exception stays automatic (docs/legal-decisions.md, LD8): a refund
that a late 48SI refuses under R42, where the law leaves the prefect no choice.
"""

from __future__ import annotations

from sqlalchemy import func, select

from services import audit, licence_ledger, outcome
from services.clock import clock, in_paris
from services.db import command, db, many_commands
from services.errors import Conflict, Invalid
from services.models import Case, CaseEvent, CaseProposal
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
    """The points the case's history last recorded: the crediting, or an accepted replay that
    changed them (so an accepted change is not proposed again)."""
    details = db.session.scalars(
        select(CaseEvent.detail).where(CaseEvent.case_id == case.id,
                                       CaseEvent.type.in_(("points_credites", ACCEPTED)))
        .order_by(CaseEvent.id.desc())).all()
    return next((d for d in details if "points" in d), None)


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


ACCEPTED = "resultat_recalcule"  # the event of an applied change (its name predates proposals)
MOTIF_MAX = 500


def _stored(case: Case, field: str):
    """The value a command stored for `field`, as a proposal records it (JSON)."""
    if field == "triggers_48n":
        return case.infraction.triggers_48n if case.infraction else None
    if field == "refund":
        return case.refund
    if field == "obligation":
        return case.obligation
    last = _last_credit_event(case)
    return last.get("points") if last else None


def apply(case: Case, actor: str, found: list[dict], why: str, validated_by: str | None = None,
          **detail) -> None:
    """Store the recomputed values; the case history and a flag say what changed and why."""
    if not found:
        return
    today = clock().today()
    by = f", validé par {validated_by}" if validated_by else ""
    for c in found:
        if c["field"] == "triggers_48n":
            case.infraction.triggers_48n = c["after"]
        elif c["field"] == "refund":
            case.refund = c["after"]
        elif c["field"] == "obligation":
            case.obligation = c["after"]
        case.add_flag(c["rule"], f"Résultat recalculé le {fr_date(today)} ({why}{by}) : "
                                 f"{c['text']}")
    points = [c["after"] for c in found if c["field"] == "points_credited"]
    if points:
        detail["points"] = points[-1]
    audit.record(case, ACCEPTED, actor, motif=why,
                 changements=[{k: v for k, v in c.items() if k != "rule"} for c in found],
                 **detail)


# ---- proposals: a clerk sees the change before it applies ------------------------------------

def pending(case: Case) -> CaseProposal | None:
    return db.session.scalars(
        select(CaseProposal).where(CaseProposal.case_id == case.id,
                                   CaseProposal.state == "pending")
        .order_by(CaseProposal.id.desc()).limit(1)
        .execution_options(populate_existing=True)).first()


def pending_ids(case_ids) -> set[int]:
    """Which of these cases have a change waiting for a clerk (the task list's flag)."""
    ids = list(case_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(CaseProposal.case_id).where(
        CaseProposal.case_id.in_(ids), CaseProposal.state == "pending")).all())


def pending_cases(limit: int = 50) -> tuple[list[tuple[Case, CaseProposal]], int]:
    """The cases with a change to validate, the oldest proposal first, and how many there are."""
    query = (select(Case, CaseProposal).join(CaseProposal, CaseProposal.case_id == Case.id)
             .where(CaseProposal.state == "pending"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(CaseProposal.id).limit(limit)).all()
    return [tuple(r) for r in rows], total


def view(p: CaseProposal | None) -> dict | None:
    """The case's `pending_change` (docs/api-additions.md)."""
    if p is None:
        return None
    return {"id": p.id, "proposed_at": p.proposed_at, "proposed_by": p.proposed_by,
            "reason": p.reason, "changes": p.changes}


def pending_flags(p: CaseProposal | None) -> list[dict]:
    """One flag per pending change, with its rule id: the clerk sees it before it applies."""
    if p is None:
        return []
    when = fr_date(in_paris(p.proposed_at).date())
    return [{"rule": c["rule"], "message": f"Changement de résultat à valider (proposé le {when}, "
                                           f"{p.reason}) : {c['text']}"} for c in p.changes]


def _texts(found: list[dict]) -> list[str]:
    return [c["text"] for c in found]


def propose(case: Case, actor: str, found: list[dict], why: str) -> tuple[CaseProposal | None,
                                                                          bool]:
    """Make `found` the case's pending proposal; (proposal, whether it is new). The same changes
    already pending, or already dismissed by a clerk, are not proposed again; a pending proposal
    with other changes is replaced (the history says so). No change left: a pending proposal
    is withdrawn as replaced."""
    found = audit.jsonable(found, keep_none=True)
    now = clock().now()
    current = pending(case)
    last = db.session.scalars(
        select(CaseProposal).where(CaseProposal.case_id == case.id,
                                   CaseProposal.state.in_(("pending", "dismissed")))
        .order_by(CaseProposal.id.desc()).limit(1)).first()
    if found and last is not None and last.changes == found:
        return last, False
    if current is not None:
        current.state, current.decided_at, current.decided_by = "superseded", now, actor
        audit.record(case, "changement_remplace", actor, proposition=current.id, motif=why,
                     changements=_texts(current.changes))
    if not found:
        return None, False
    p = CaseProposal(case_id=case.id, state="pending", changes=found, reason=why[:200],
                     proposed_at=now, proposed_by=actor)
    db.session.add(p)
    db.session.flush()
    audit.record(case, "changement_propose", actor, proposition=p.id, motif=why,
                 remplace=current.id if current is not None else None,
                 changements=_texts(found))
    return p, True


def _to_decide(case_id: int, proposal_id: int | None) -> tuple[Case, CaseProposal]:
    """The case, locked, and its pending proposal; 409 when there is none or it was replaced.
    Two clerks accepting at once queue on the case's row: the second finds nothing pending."""
    from services import cases

    cases.get(case_id)  # 404 for an unknown case
    case = db.session.get(Case, case_id, with_for_update=True, populate_existing=True)
    p = pending(case)
    if p is None:
        raise Conflict("Aucun changement de résultat n'attend de validation sur ce dossier "
                       "(déjà validé ou écarté par un autre agent, ou jamais proposé).")
    if proposal_id is not None and proposal_id != p.id:
        raise Conflict(f"La proposition n° {proposal_id} n'est plus celle en attente : elle a été "
                       f"remplacée par la proposition n° {p.id}. Relisez le dossier.")
    return case, p


@command
def accept(case_id: int, actor: str, proposal_id: int | None = None) -> Case:
    """Apply the pending proposal: one transaction, in the history (and a flag)."""
    case, p = _to_decide(case_id, proposal_id)
    for c in p.changes:
        if audit.jsonable(_stored(case, c["field"]), keep_none=True) != c["before"]:
            raise Conflict("Le dossier a changé depuis la proposition : elle n'est plus à "
                           "jour. Écartez-la avec un motif, ou demandez à un administrateur "
                           "de relancer le rejeu des règles pour une proposition à jour.")
    apply(case, actor, p.changes, p.reason, validated_by=actor, proposition=p.id)
    p.state, p.decided_at, p.decided_by = "accepted", clock().now(), actor
    return case


@command
def dismiss(case_id: int, actor: str, motif: str | None, proposal_id: int | None = None) -> Case:
    """Set the pending proposal aside with the clerk's reason; nothing on the case changes."""
    motif = (motif or "").strip()
    if not motif:
        raise Invalid.field("motif", "Indiquez pourquoi le changement est écarté.")
    if len(motif) > MOTIF_MAX:
        raise Invalid.field("motif", f"{MOTIF_MAX} caractères au plus.")
    case, p = _to_decide(case_id, proposal_id)
    p.state, p.decided_at, p.decided_by, p.decision_motif = ("dismissed", clock().now(), actor,
                                                             motif)
    audit.record(case, "changement_ecarte", actor, proposition=p.id, motif=motif,
                 changements=_texts(p.changes))
    return case


@many_commands
def replay_all(actor: str, dry_run: bool, why: str = "rejeu des règles"):
    """Yield (case, changes, proposal, new) for every case whose outcome would change; unless
    dry, each case's changes are proposed (never applied) as its own command."""
    ids = db.session.scalars(select(Case.id).order_by(Case.id)).all()
    for case_id in ids:
        if dry_run:
            case = db.session.get(Case, case_id)
            found, p, new = changes(case), None, False
        else:
            case, found, p, new = _replay_case(case_id, actor, why)
        if found:
            yield case, found, p, new
    if dry_run:
        db.session.rollback()  # nothing to keep: end the read


@command
def _replay_case(case_id: int, actor: str, why: str):
    case = db.session.get(Case, case_id)
    found = changes(case)
    p, new = propose(case, actor, found, why) if found or pending(case) else (None, False)
    return case, found, p, new


def bound_refusal(c: dict) -> bool:
    """LD8: what a late 48SI refuses under R42 (bound: no credit and no refund after a notified
    invalidity) applies at once: an eligible refund refused, the points credited brought to 0.
    Every other change waits for a clerk."""
    after = c["after"] if isinstance(c["after"], dict) else {}
    if c["field"] == "refund":
        return ((c["before"] or {}).get("eligible") is True and after.get("eligible") is False
                and after.get("rule") == "R42")
    return c["field"] == "points_credited" and c["rule"] == "R42" and c["after"] == 0


LATE_FACT_FIELDS = ("refund", "points_credited")


def after_late_fact(licence, actor: str, why: str) -> None:
    """A fact registered late (a 48SI) can change a decided case: an R42 refusal applies at
    once and says so (LD8); any other change is proposed to a clerk."""
    cases = db.session.scalars(select(Case).where(Case.licence_id == licence.id)).all()
    for case in cases:
        if case.refund is None and case.credited_enrollment_id is None:
            continue  # nothing decided yet: the rules apply live
        bound = [c for c in changes(case) if bound_refusal(c)]
        apply(case, actor, bound, why + " ; R42 appliquée sans validation (décision LD8)",
              automatique=True)
        if pending(case) is not None:  # refresh it: it may start from a value just changed
            propose(case, actor, changes(case), why)
        else:
            propose(case, actor, [c for c in changes(case) if c["field"] in LATE_FACT_FIELDS],
                    why)
