"""One command for every benchmark: `.venv/bin/python -m bench` (or `bash bench/run.sh`).

Writes bench/results/latest.json. Sections run in order of priority; each is bounded.
Set BENCH_PG_URL (an admin URL on a PostgreSQL server, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) to also run the large read paths on
PostgreSQL in a database named `bench` that is dropped and recreated.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "latest.json"


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    pg = None
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True,
                            timeout=10).stdout.strip()
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory_mb": int(mem) // 1024,
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql_client": pg, "platform": platform.platform()}


def main() -> int:
    import logging
    logging.disable(logging.INFO)
    from bench import common, engine, large, sweep

    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)

        print("== engine baseline (SpiffWorkflow + JSON in SQLite)", flush=True)
        eng = engine.run(tmp / "engine.sqlite", seconds=20)
        results["engine"] = eng

        print("== service layer lifecycles (SQLite)", flush=True)
        app = common.fresh_app(f"sqlite:///{tmp / 'service.sqlite'}")
        with app.app_context():
            from services.clock import clock
            today = clock().today()
            common.bootstrap(today)
            nums = common.Numbers("5")
            common.service_group(nums, today)  # warm-up
            done, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < 30 and done < 300:
                done += len(common.service_group(nums, today))
            elapsed = time.perf_counter() - t0
        svc = round(done / elapsed, 2)
        results["service"] = {"lifecycles": done, "seconds": round(elapsed, 2),
                              "service_lifecycles_per_s": svc}
        results["engine_baseline_lifecycles_per_s"] = eng["engine_baseline_lifecycles_per_s"]
        results["service_lifecycles_per_s"] = svc
        results["ratio_service_vs_engine"] = round(svc / eng["engine_baseline_lifecycles_per_s"],
                                                   3)
        print(json.dumps(results["service"]), "ratio", results["ratio_service_vs_engine"],
              flush=True)

        print("== timer sweep, 1,000 and 100,000 open cases, 200 due (SQLite)", flush=True)
        small = sweep.measure(f"sqlite:///{tmp / 'sweep_small.sqlite'}", 1_000, 200)
        print(small, flush=True)
        big = sweep.measure(f"sqlite:///{tmp / 'sweep_large.sqlite'}", 100_000, 200)
        print(big, flush=True)
        results["sweep"] = {"small": small, "large": big}
        results["timer_sweep_ms_per_due_small"] = small["ms_per_due"]
        results["timer_sweep_ms_per_due_large"] = big["ms_per_due"]
        results["sweep_ratio_large_vs_small"] = round(big["ms_per_due"] / small["ms_per_due"], 3)
        _write(results)

        print("== 400,000 cases: task list and case page (SQLite)", flush=True)
        lg = large.measure(f"sqlite:///{tmp / 'large.sqlite'}")
        print(json.dumps(lg), flush=True)
        results["large_sqlite"] = lg
        results["tasklist_p95_ms_large"] = lg["tasklist"]["p95_ms"]
        results["case_page_p95_ms_large"] = lg["case_page"]["p95_ms"]
        results["peak_rss_mb_large_sqlite"] = lg["process_peak_rss_mb"]
        _write(results)

    results["total_seconds"] = round(time.perf_counter() - t_all, 1)
    _write(results)
    print(f"== written {OUT.relative_to(ROOT)} in {results['total_seconds']} s")
    return 0


def _write(results: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
