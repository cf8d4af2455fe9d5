"""The timer sweep's cost at 1,000 and at 100,000 open cases, with the same number due.

Both databases are seeded first; their due instances come in ROUNDS groups whose
`next_timer_due_at` are a day apart (the engine's own deadline is the same, already passed, for
all). Each round moves both manual clocks one group further and sweeps the small and the large
database one after the other (alternating which goes first), so both see the same machine
load; each figure is its total sweep time over what it fired."""

from __future__ import annotations

import datetime as dt
import time

from bench import common, seed

ROUNDS = 4


class SweepDatabase:
    def __init__(self, url: str, open_cases: int, due: int):
        from services.clock import clock, start_of_day
        from services.db import transaction

        self.app = common.fresh_app(url, clock_mode="manual")
        self.open_cases, self.due, self.fired, self.seconds = open_cases, due, 0, 0.0
        with self.app.app_context():
            today = dt.date.today()
            with transaction():
                clock().set(start_of_day(today))
            common.bootstrap(today)
            cid = common.open_mandatory(common.Numbers("5"), today, days_ago=40)
            tpl = seed.template(cid)
            deadline = tpl["process_instances"][0]["next_timer_due_at"]
            assert deadline is not None
            self.stages = [deadline + dt.timedelta(days=i + 1) for i in range(ROUNDS)]
            per = due // ROUNDS
            t0 = time.perf_counter()
            for i, stage in enumerate(self.stages):  # + the template itself in round 1
                seed.clone([(tpl, per - 1 if i == 0 else per)], due_at=stage, prefix=7 - i)
            far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)  # open, watched, not due
            seed.clone([(tpl, open_cases - due)], due_at=far, prefix=2)
            seed.analyze()
            self.seed_s = time.perf_counter() - t0

    def sweep(self, i: int) -> None:
        from services import timers
        from services.clock import clock
        from services.db import db, transaction

        with self.app.app_context():
            with transaction():
                clock().set(self.stages[i])
            db.session.remove()
            t0 = time.perf_counter()
            fired = timers.run_due()
            self.seconds += time.perf_counter() - t0
            assert fired == self.due // ROUNDS, (fired, self.due)
            self.fired += fired
            db.session.remove()

    def result(self) -> dict:
        with self.app.app_context():
            from services.db import db
            db.engine.dispose()
        return {"open_cases": self.open_cases, "due": self.due, "fired": self.fired,
                "rounds": ROUNDS, "seed_s": round(self.seed_s, 1),
                "sweep_s": round(self.seconds, 2),
                "ms_per_due": round(self.seconds * 1000 / self.fired, 2)}


def measure_pair(small_url: str, large_url: str, small_open: int = 1_000,
                 large_open: int = 100_000, due: int = 400) -> tuple[dict, dict]:
    small = SweepDatabase(small_url, small_open, due)
    large = SweepDatabase(large_url, large_open, due)
    for i in range(ROUNDS):
        for side in ((small, large) if i % 2 == 0 else (large, small)):
            side.sweep(i)
    return small.result(), large.result()
