"""Read paths at national scale: 400,000 cases seeded in bulk (a mix of states and open
tasks), then the task list and the case page timed through the REST API (in-process WSGI
client, authenticated like a clerk)."""

from __future__ import annotations

import datetime as dt
import random
import resource
import time

from bench import common, seed

PLACEHOLDER = '{"bench": "shared placeholder blob", "pad": "' + "x" * 2000 + '"}'


def measure(url: str, total: int = 400_000, requests: int = 200) -> dict:
    app = common.fresh_app(url)
    with app.app_context():
        from services.clock import clock
        from services.db import db

        today = clock().today()
        tokens = common.bootstrap(today)
        nums = common.Numbers("5")
        tpls = {stop: seed.template(common.service_group(nums, today, stop_at=stop)[0])
                for stop in ("open", "enrolled", "verification", None)}
        share = {"open": 0.35, "enrolled": 0.2, "verification": 0.15, None: 0.3}
        mix = [(tpls[k], int(total * share[k])) for k in tpls]
        t0 = time.perf_counter()
        n = seed.clone(mix, state_json=PLACEHOLDER, prefix="8")
        seeded = time.perf_counter() - t0
        max_case = db.session.scalar(db.text("SELECT max(id) FROM cases"))
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
            timed(f"/api/v1/cases/{rng.randint(1, max_case)}")
        tasklist = [timed("/api/v1/tasks") for _ in range(requests)]
        tasklist_key = [timed("/api/v1/tasks?key=verification_attestation&page=50")
                        for _ in range(requests // 4)]
        case_page = [timed(f"/api/v1/cases/{rng.randint(1, max_case)}")
                     for _ in range(requests)]
        db.session.remove()
        db.engine.dispose()
    return {"cases": n + 24, "seed_s": round(seeded, 1),
            "tasklist": common.summary_ms(tasklist),
            "tasklist_by_key_page_50": common.summary_ms(tasklist_key),
            "case_page": common.summary_ms(case_page),
            "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                         / 1024, 1),
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
