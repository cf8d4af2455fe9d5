"""Read paths at national scale: 400,000 cases seeded in bulk (a mix of states and open
tasks), then the task list, the case page, the statistics and the heatmap timed through the
REST API (in-process WSGI client, authenticated like a clerk), on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import resource
import time

from bench import common, seed

PLACEHOLDER = '{"bench": "shared placeholder blob", "pad": "' + "x" * 2000 + '"}'
# share of each template among the copies: waiting for an enrolment, enrolled, attestation to
# verify (open task with a due date), deadline passed (open referral task, no due date), closed
SHARE = {"open": 0.30, "enrolled": 0.20, "verification": 0.15, "referral": 0.05, None: 0.30}


def _templates(nums, today) -> dict:
    from services import timers

    tpls = {stop: seed.template(common.service_group(nums, today, stop_at=stop)[0])
            for stop in ("open", "enrolled", "verification", None)}
    late = common.open_mandatory(nums, today, days_ago=150)  # its 4-month deadline is passed
    timers.run_due()  # (the engine may already have fired it when the case was opened)
    tpls["referral"] = seed.template(late)
    def open_keys(tpl):
        return [t["key"] for t in tpl["human_tasks"] if t["state"] == "open"]

    assert open_keys(tpls["referral"]) == ["signalement_parquet"]
    assert open_keys(tpls["verification"]) == ["verification_attestation"]
    return tpls


def measure(url: str, total: int = 400_000, requests: int = 200) -> dict:
    app = common.fresh_app(url)
    with app.app_context():
        from services.clock import clock
        from services.db import db

        today = clock().today()
        tokens = common.bootstrap(today)
        tpls = _templates(common.Numbers("5"), today)
        mix = [(tpls[k], int(total * share)) for k, share in SHARE.items()]
        t0 = time.perf_counter()
        n = seed.clone(mix, state_json=PLACEHOLDER, prefix=8)
        seed.analyze()
        seeded = time.perf_counter() - t0
        # the bulk seed writes rows in SQL, behind the commands' back: the statistics'
        # counters are computed once from the cases, as `flask stats rebuild` does
        from services import stat_counters
        from services.db import transaction

        t0 = time.perf_counter()
        with transaction():
            stat_counters.rebuild()
        rebuilt = time.perf_counter() - t0
        db.session.remove()
        case_ids = db.session.scalars(db.text("SELECT id FROM cases")).all()
        open_tasks = db.session.scalar(db.text(
            "SELECT count(*) FROM human_tasks WHERE state = 'open'"))
        db.session.remove()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens['agent']}"}
        rng = random.Random(7)

        def timed(path):
            t = time.perf_counter()
            resp = client.get(path, headers=headers)
            assert resp.status_code == 200, (path, resp.status_code, resp.get_data()[:300])
            return time.perf_counter() - t

        for _ in range(5):  # warm-up
            timed("/api/v1/tasks")
            timed(f"/api/v1/cases/{rng.choice(case_ids)}")
        tasklist = [timed("/api/v1/tasks") for _ in range(requests)]
        tasklist_key = [timed("/api/v1/tasks?key=verification_attestation&page=50")
                        for _ in range(requests // 4)]
        case_page = [timed(f"/api/v1/cases/{rng.choice(case_ids)}")
                     for _ in range(requests)]
        # the clerks' search (« contient ») by a licence number, a reference, a name
        terms = [r[0] for r in db.session.execute(db.text(
            "SELECT number FROM licences ORDER BY id DESC LIMIT 50")).all()]
        terms += [r[0] for r in db.session.execute(db.text(
            "SELECT reference FROM cases ORDER BY id DESC LIMIT 50")).all()]
        db.session.remove()
        search = [timed(f"/api/v1/cases?q={rng.choice(terms)}") for _ in range(requests // 4)]
        # the statistics (issue 18): the twelve months' figures, for one centre, the heatmap;
        # read from the roll-up counters (no cache: each request reads the database)
        stats_paths = {"statistics_12_months": "/api/v1/statistics",
                       "statistics_12_months_one_centre":
                           f"/api/v1/statistics?centre={common.CENTRE}",
                       "heatmap": "/api/v1/processes/stage_obligatoire/versions/1/heatmap"}
        for path in stats_paths.values():  # warm-up (the database's pages)
            timed(path)
        stats_cold = {name: common.summary_ms([timed(path) for _ in range(requests // 4)])
                      for name, path in stats_paths.items()}
        figures = client.get("/api/v1/statistics", headers=headers).get_json()
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    return {"database": dialect, "cases": n + 25, "open_tasks": open_tasks,
            "seed_s": round(seeded, 1),
            "stats_rebuild_s": round(rebuilt, 1),
            "tasklist": common.summary_ms(tasklist),
            "tasklist_by_key_page_50": common.summary_ms(tasklist_key),
            "case_page": common.summary_ms(case_page),
            "search": common.summary_ms(search),
            "statistics": stats_cold,
            "statistics_check": {"letters_48n": sum(figures["letters_48n"]),
                                 "courses_in_time": sum(figures["courses"]["in_time"]),
                                 "points": sum(figures["points"]["points"]),
                                 "open_tasks": sum(figures["open_tasks_by_age"]["totals"])},
            "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                         / 1024, 1),
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
