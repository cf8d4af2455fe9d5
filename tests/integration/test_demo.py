"""`flask demo seed`: the dashboard opens on demo cases in every block (R39/D4 late attestations,
a 4-month deadline near and one passed), the history is dated as it happened, and a second run
changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from services import demo, users
from services.clock import clock
from services.db import db
from services.models import Case, CaseEvent, HumanTask, Licence
from services.reads import worklist
from tests.api_errors_support import snapshot


def test_demo_fills_every_dashboard_block_and_is_idempotent(app):
    with app.app_context():
        lines = demo.seed()
        assert lines[0].startswith("Démonstration : 19 permis")
        today = clock().today()
        agent = users.get_by_name("agent")
        mine, mine_total = worklist.task_page(agent, "mine")
        free, free_total = worklist.task_page(agent, "unassigned")
        assert mine_total >= 1 and free_total >= 2
        assert {t.key for t in free} >= {"signalement_parquet", "verification_attestation",
                                          "examen_manuel"}
        near, _ = worklist.deadline_cases(today)
        assert any(c.deadline < today for c in near), "a deadline passed, still pending"
        assert any(today <= c.deadline <= today + dt.timedelta(days=worklist.NEAR_DAYS)
                   for c in near), "a deadline within 30 days"
        late, late_total = worklist.late_attestations(today)
        assert late_total >= 2 and all(t.due_on < today for t in late)  # beyond D4
        chart = worklist.deadlines_per_week(today)
        assert sum(chart["deadlines"]) >= 1
        statuses = set(db.session.scalars(select(Case.status)))
        assert statuses >= {"clos", "inscrit", "en_attente_inscription", "en_attente_attestation",
                            "verification_attestation", "examen_manuel", "signalement_parquet"}
        # the story is dated: cases opened over months, not all at once today
        first_event = db.session.scalar(select(func.min(CaseEvent.at)))
        assert (today - first_event.astimezone(clock().now().tzinfo).date()).days > 100
        assert db.session.scalar(select(func.count()).select_from(HumanTask)) >= 5

        before = snapshot()
        assert demo.seed() == ["Données de démonstration déjà présentes."]
        assert snapshot() == before
        assert db.session.scalar(select(func.count()).select_from(Licence)) == 19


def test_demo_history_is_recorded_in_the_order_it_happened(app):
    """A QA finding: the seed wrote its steps case by case, the clock going back and forth, so a
    case's history sorted by date (its page) told a story out of order: the referral decided
    (R21) before the deadline was found passed, recorded after the events dated later."""
    with app.app_context():
        demo.seed()
        events = db.session.execute(select(CaseEvent.case_id, CaseEvent.id, CaseEvent.at,
                                           CaseEvent.type)
                                    .order_by(CaseEvent.case_id, CaseEvent.id)).all()
        by_case: dict[int, list] = {}
        for case_id, _id, at, kind in events:
            by_case.setdefault(case_id, []).append((at, kind))
        for case_id, history in by_case.items():
            dates = [at for at, _kind in history]
            assert dates == sorted(dates), (case_id, history)
        # the referred case: the deadline passed, then the clerk decided to report
        referred = next(h for h in by_case.values()
                        if any(k == "signalement_decide" for _at, k in h))
        kinds = [k for _at, k in referred]
        assert kinds.index("echeance_depassee") < kinds.index("signalement_decide")
