"""The task lists' totals at 1,000 and 400,000 cases (issue 17): the same seeding as the
400,000-case read paths (bench/large.py: real templates cloned in bulk, 20 % of the cases with
an open task), one open task in ten assigned to the agent, then the task counters rebuilt from
the rows (the bulk insert bypasses the commands that keep them).

Measured, alternating between the two databases so that both see the same machine load:
* `counters`: the four totals a clerk's pages ask for (the task list: all open tasks; the
  dashboard: mine, unassigned; the list filtered by key), from services/task_counters;
* `exact`: the same four as the COUNT over the filtered task query that `paginate` ran before
  (for comparison);
* `tasklist`: the whole `GET /api/v1/tasks` (page and total), in-process.
`count_cost_ratio_large_vs_small` is the counters' p50 at 400,000 over their p50 at 1,000."""

from __future__ import annotations

import time

from bench import common, large, seed

FILTERS = ({"scope": ""}, {"scope": "mine"}, {"scope": "unassigned"},
           {"scope": "", "key": "verification_attestation"})


def build(url: str, total: int):
    """A seeded database of `total` cases; returns (app, agent token, description)."""
    from sqlalchemy import text

    app = common.fresh_app(url)
    with app.app_context():
        from services import task_counters
        from services.clock import clock
        from services.db import db, transaction

        today = clock().today()
        tokens = common.bootstrap(today)
        tpls = large._templates(common.Numbers("5"), today)
        mix = [(tpls[k], max(1, int(total * share))) for k, share in large.SHARE.items()]
        t0 = time.perf_counter()
        n = seed.clone(mix, state_json=large.PLACEHOLDER, prefix=8)
        with transaction():
            agent = db.session.scalar(text("SELECT id FROM users WHERE username = 'agent'"))
            db.session.execute(text("UPDATE human_tasks SET assignee_id = :a "
                                    "WHERE state = 'open' AND id % 10 = 0"), {"a": agent})
            task_counters.rebuild()
        seed.analyze()
        seeded = time.perf_counter() - t0
        open_tasks = db.session.scalar(text("SELECT count(*) FROM human_tasks "
                                            "WHERE state = 'open'"))
        counters = db.session.scalar(text("SELECT count(*) FROM task_counters"))
        db.session.remove()
    return app, tokens["agent"], {"cases": n + 25, "open_tasks": open_tasks,
                                  "counter_rows": counters, "seed_s": round(seeded, 1)}


def _agent():
    from services import users
    return users.get_by_name("agent")


def _counters(user) -> list[int]:
    from services import task_counters
    return [task_counters.count(state="open", key=f.get("key"),
                                assignee_id=user.id if f["scope"] == "mine" else None,
                                unassigned=f["scope"] == "unassigned") for f in FILTERS]


def _exact(user) -> list[int]:
    from sqlalchemy import func, select

    from services.db import db
    from services.reads import worklist
    return [db.session.scalar(select(func.count()).select_from(
        worklist.task_query(user, f["scope"], f.get("key", ""))[0].subquery()))
        for f in FILTERS]


def measure_pair(small_url: str, large_url: str, small: int = 1_000, big: int = 400_000,
                 rounds: int = 10, reps: int = 20) -> dict:
    sides = {"small": build(small_url, small), "large": build(large_url, big)}
    times: dict[str, dict[str, list[float]]] = {
        name: {"counters": [], "exact": [], "tasklist": []} for name in sides}
    checks = {}
    for name, (app, _token, _) in sides.items():  # warm-up, and the two ways agree
        with app.app_context():
            user = _agent()
            checks[name] = {"counters": _counters(user), "exact": _exact(user)}
            assert checks[name]["counters"] == checks[name]["exact"], checks[name]
    for r in range(rounds):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for name in order:
            app, token, _ = sides[name]
            with app.app_context():
                user = _agent()
                for _ in range(reps):
                    t = time.perf_counter()
                    _counters(user)
                    times[name]["counters"].append(time.perf_counter() - t)
                for _ in range(max(1, reps // 10)):
                    t = time.perf_counter()
                    _exact(user)
                    times[name]["exact"].append(time.perf_counter() - t)
                client = app.test_client()
                headers = {"Authorization": f"Bearer {token}"}
                for _ in range(max(1, reps // 4)):
                    t = time.perf_counter()
                    resp = client.get("/api/v1/tasks", headers=headers)
                    assert resp.status_code == 200
                    times[name]["tasklist"].append(time.perf_counter() - t)
                from services.db import db
                db.session.remove()
    out: dict = {}
    for name, (app, _, desc) in sides.items():
        with app.app_context():
            from services.db import db
            out[name] = {**desc, "database": db.engine.dialect.name, "totals": checks[name],
                         **{k: common.summary_ms(v) for k, v in times[name].items()}}
            db.session.remove()
            db.engine.dispose()
    out["count_cost_ratio_large_vs_small"] = round(
        out["large"]["counters"]["p50_ms"] / out["small"]["counters"]["p50_ms"], 3)
    out["exact_count_ratio_large_vs_small"] = round(
        out["large"]["exact"]["p50_ms"] / out["small"]["exact"]["p50_ms"], 3)
    return out
