"""The timer sweep's cost at 1,000 and at 100,000 open cases, with the same number due."""

from __future__ import annotations

import datetime as dt
import time

from bench import common, seed


def measure(url: str, open_cases: int, due: int) -> dict:
    app = common.fresh_app(url, clock_mode="manual")
    with app.app_context():
        from services import timers
        from services.clock import clock, start_of_day
        from services.db import db, transaction

        today = dt.date.today()
        with transaction():
            clock().set(start_of_day(today))
        common.bootstrap(today)
        cid = common.open_mandatory(common.Numbers("5"), today, days_ago=40)
        tpl = seed.template(cid)
        assert tpl["process_instances"][0]["next_timer_due_at"] is not None
        t0 = time.perf_counter()
        seed.clone([(tpl, due - 1)], prefix=7)  # + the template itself: `due` due
        far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)  # open, watched, not due
        seed.clone([(tpl, open_cases - due)], due_at=far, prefix=6)
        seeded = time.perf_counter() - t0
        with transaction():
            clock().set(start_of_day(today + dt.timedelta(days=150)))
        db.session.remove()
        t0 = time.perf_counter()
        fired = timers.run_due()
        elapsed = time.perf_counter() - t0
        assert fired == due, (fired, due)
        db.session.remove()
        db.engine.dispose()
    return {"open_cases": open_cases, "due": due, "fired": fired,
            "seed_s": round(seeded, 1), "sweep_s": round(elapsed, 2),
            "ms_per_due": round(elapsed * 1000 / fired, 2)}
