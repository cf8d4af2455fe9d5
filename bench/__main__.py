"""One command for every benchmark: `bash bench/run.sh` (= `.venv/bin/python -m bench` once the
load tool is installed). Writes bench/results/latest.json after each section.

BENCH_PG_URL (an admin URL on a PostgreSQL server, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; bench/run.sh sets the local one) adds
the 400,000-case read paths and the HTTP run on PostgreSQL, in the databases
<BENCH_PG_PREFIX>_large and <BENCH_PG_PREFIX>_http (default prefix "bench"), dropped and
recreated, and dropped again at the end. BENCH_PG_URL= (empty) skips PostgreSQL.

`--only large` runs only the 400,000-case read paths (task list, case page, statistics,
heatmap) on SQLite and PostgreSQL (BENCH_PG_DB_URL: one existing database, its public schema
dropped and remade, instead of BENCH_PG_URL's fresh one) and writes
bench/results/only-large.json.
`--only counts` runs only the task lists' totals at 1,000 and 400,000 cases (bench/counts.py;
on PostgreSQL with BENCH_PG_URL, in <prefix>_counts_small and _counts_large, else SQLite),
writes bench/results/only-counts.json and merges its keys into latest.json.
`--only gate` runs only the designers' scenario gate, the old way (one pytest process) and the
new (services/design/sandbox.run), and merges its keys (scenario_gate_*) into latest.json,
keeping the others; `--rounds N` repeats the pair.
`--only service` runs only the interleaved engine/service section (`--seconds` long, default
40) and writes bench/results/only-service.json, leaving latest.json alone; `--profile FILE`
adds a pyinstrument profile (HTML) of service groups alone (no engine rounds) for that time.
`--only persistence` runs the same interleaved rounds (`--seconds`) with the service's calls
into SQLAlchemy timed (bench/persistence.py): how much of the lifecycle's CPU the persistence
layer takes, and the ratio without it; writes bench/results/only-persistence.json.
`--only clerks_day` runs a clerks' day (bench/clerks_run.py, bench/clerks_day.py: 50 clerks
with think time and 3 centre operators, locust against gunicorn) on PostgreSQL, in the database
<BENCH_PG_PREFIX>_clerks_day (dropped and recreated; needs BENCH_PG_URL), `--cases` cases
seeded (default 30,000) and `--seconds` of steady state (default 240); its figures go to
bench/results/latest.json under `clerks_day`, the other keys kept (a full run keeps them too).
`--only letters` runs the service lifecycle on the shipped mandatory process and on the same
process without its service tasks and business-rule task, interleaved (`--seconds`, default 40;
bench/letters.py); writes bench/results/only-letters.json and merges it into latest.json under
`letters_and_decision`.
"""

from __future__ import annotations

import argparse
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
SERVICE_SECONDS = 40  # engine and service rounds, interleaved so both see the same load


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    model = next((line.split(":", 1)[1].strip()
                  for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    pg = None
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True,
                            timeout=10).stdout.strip()
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory_mb": int(mem) // 1024, "cpu": model,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql_client": pg, "platform": platform.platform(),
            "load_average_at_start": list(os.getloadavg())}


def engine_and_service(tmp: Path, seconds: float = SERVICE_SECONDS) -> dict:
    """Alternate rounds: 6 engine-baseline lifecycles, then one service group of 6."""
    from bench import common
    from bench.engine import Baseline

    base = Baseline(tmp / "engine.sqlite")
    base.lifecycle()  # warm-up: parse and cache the spec
    eng = {"n": 0, "wall": 0.0, "cpu": 0.0}
    svc = {"n": 0, "wall": 0.0, "cpu": 0.0}
    with common.warm_service(tmp / "service.sqlite", "5") as (nums, today):
        t_end = time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            w, c = time.perf_counter(), time.process_time()
            for _ in range(common.GROUP):
                base.lifecycle()
            eng["n"] += common.GROUP
            eng["wall"] += time.perf_counter() - w
            eng["cpu"] += time.process_time() - c
            w, c = time.perf_counter(), time.process_time()
            svc["n"] += len(common.service_group(nums, today))
            svc["wall"] += time.perf_counter() - w
            svc["cpu"] += time.process_time() - c
        # the statistics' catch-up the commands left to the worker (services/stat_counters):
        # measured apart, once for all the rounds' cases, as a worker's pass would
        from services import stat_counters
        pending = stat_counters.pending_count()
        c = time.process_time()
        caught_up = stat_counters.catch_up_all()
        catch_up_cpu = time.process_time() - c
    base.close()
    e_rate, s_rate = eng["n"] / eng["wall"], svc["n"] / svc["wall"]
    catch_up_ms = 1000 * catch_up_cpu / svc["n"]
    return {
        "statistics_catch_up": {
            "cases_marked": pending, "cases_caught_up": caught_up,
            "cpu_ms_per_lifecycle": round(catch_up_ms, 2),
            "ratio_cpu_time_with_it": round((eng["cpu"] / eng["n"])
                                            / (svc["cpu"] / svc["n"] + catch_up_ms / 1000), 3)},
        "engine": {"lifecycles": eng["n"], "seconds": round(eng["wall"], 2),
                   "cpu_ms_per_lifecycle": round(1000 * eng["cpu"] / eng["n"], 1)},
        "service": {"lifecycles": svc["n"], "seconds": round(svc["wall"], 2),
                    "cpu_ms_per_lifecycle": round(1000 * svc["cpu"] / svc["n"], 1)},
        "engine_baseline_lifecycles_per_s": round(e_rate, 2),
        "service_lifecycles_per_s": round(s_rate, 2),
        "ratio_service_vs_engine": round(s_rate / e_rate, 3),
        "ratio_cpu_time": round((eng["cpu"] / eng["n"]) / (svc["cpu"] / svc["n"]), 3),
    }


class PgDatabases:
    """Bench databases on the BENCH_PG_URL server: made empty on demand, dropped at the end."""

    def __init__(self, admin_url: str, prefix: str):
        from sqlalchemy.engine import make_url

        self.admin = make_url(admin_url)
        self.prefix, self.made = prefix, []

    def _run(self, sql: str) -> None:
        import psycopg

        u = self.admin
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                             password=u.password, dbname=u.database or "postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self, name: str) -> str:
        db = f"{self.prefix}_{name}"
        self._run(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{db}"')
        self.made.append(db)
        return self.admin.set(database=db).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for db in self.made:
            self._run(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def profile_service(tmp: Path, seconds: float, out: Path) -> dict:
    """Service groups only, for `seconds`, under pyinstrument; the HTML profile goes to `out`."""
    from pyinstrument import Profiler

    from bench import common

    with common.warm_service(tmp / "profile.sqlite", "6") as (nums, today):
        n, profiler = 0, Profiler(interval=0.0005)
        w, c = time.perf_counter(), time.process_time()
        with profiler:
            t_end = time.perf_counter() + seconds
            while time.perf_counter() < t_end:
                n += len(common.service_group(nums, today))
        w, c = time.perf_counter() - w, time.process_time() - c
    out.write_text(profiler.output_html())
    return {"lifecycles": n, "seconds": round(w, 2),
            "cpu_ms_per_lifecycle": round(1000 * c / n, 1), "profile": str(out)}


def only_service(seconds: float, profile: str | None) -> int:
    out = OUT.with_name("only-service.json")
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results.update(engine_and_service(Path(tmp), seconds))
        if profile:
            results["profiled"] = profile_service(Path(tmp), seconds, Path(profile).resolve())
    results["load_average_at_end"] = list(os.getloadavg())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    return 0


def only_persistence(seconds: float) -> int:
    """The service lifecycle's CPU inside SQLAlchemy (bench/persistence.py); its wrappers are
    installed before any mapper is configured, which captures some of the entry points."""
    from bench import persistence

    out = OUT.with_name("only-persistence.json")
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results.update(persistence.measure(Path(tmp), seconds))
    results["load_average_at_end"] = list(os.getloadavg())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    return 0


def only_large() -> int:
    """The 400,000-case read paths alone (task list, case page, statistics, heatmap), on SQLite
    and, with BENCH_PG_URL, on PostgreSQL, at each size of BENCH_LARGE_SIZES (default
    "1000,400000": the statistics' cost should not grow); written to
    bench/results/only-large.json."""
    from bench import large

    out = OUT.with_name("only-large.json")
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    pg_url = os.environ.get("BENCH_PG_URL", "")
    pg = PgDatabases(pg_url, os.environ.get("BENCH_PG_PREFIX", "bench")) if pg_url else None
    sizes = [int(n) for n in os.environ.get("BENCH_LARGE_SIZES", "1000,400000").split(",")]
    try:
        for total in sizes:
            suffix = "" if total == 400_000 else f"_{total}"
            with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
                results[f"large_sqlite{suffix}"] = large.measure(
                    f"sqlite:///{Path(tmp) / 'large.sqlite'}", total=total)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
            if os.environ.get("BENCH_PG_DB_URL"):  # a database of one's own, used as it is
                results[f"large_postgresql{suffix}"] = large.measure(
                    os.environ["BENCH_PG_DB_URL"], total=total)
            elif pg:
                results[f"large_postgresql{suffix}"] = large.measure(pg.fresh("large"),
                                                                     total=total)
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    finally:
        if pg:
            pg.drop_all()
    results["load_average_at_end"] = list(os.getloadavg())
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    return 0


def only_clerks_day(seconds: float, cases: int) -> int:
    """A clerks' day on PostgreSQL, merged into latest.json under `clerks_day`."""
    from bench import clerks_run

    pg_url = os.environ.get("BENCH_PG_URL", "")
    if not pg_url:
        print("--only clerks_day needs PostgreSQL: set BENCH_PG_URL (bash bench/run.sh does)")
        return 2
    pg = PgDatabases(pg_url, os.environ.get("BENCH_PG_PREFIX", "bench"))
    box = machine()  # its load_average_at_start is the one before the seed
    try:
        day = clerks_run.measure(pg.fresh("clerks_day"), total=cases, seconds=int(seconds))
    finally:
        pg.drop_all()
    day["machine"] = box
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    results["clerks_day"] = day
    _write(results)
    print(json.dumps({k: v for k, v in day.items() if k not in ("per_request", "machine")},
                     indent=2, ensure_ascii=False))
    print(json.dumps(day["per_request"], indent=1, ensure_ascii=False))
    return 0


def counts_section(tmp: Path, pg: PgDatabases | None) -> dict:
    """The task lists' totals at 1,000 and 400,000 cases (bench/counts.py): on PostgreSQL
    (databases <prefix>_counts_small and _large) with BENCH_PG_URL, else on SQLite."""
    from bench import counts

    if pg:
        return counts.measure_pair(pg.fresh("counts_small"), pg.fresh("counts_large"))
    return counts.measure_pair(f"sqlite:///{tmp / 'counts_small.sqlite'}",
                               f"sqlite:///{tmp / 'counts_large.sqlite'}")


def only_counts() -> int:
    """The counts section alone; written to results/only-counts.json and merged into
    latest.json (its `counts` and `count_cost_ratio_large_vs_small`, the other keys kept)."""
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    pg_url = os.environ.get("BENCH_PG_URL", "")
    pg = PgDatabases(pg_url, os.environ.get("BENCH_PG_PREFIX", "bench")) if pg_url else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            results["counts"] = counts_section(Path(tmp), pg)
    finally:
        if pg:
            pg.drop_all()
    results["load_average_at_end"] = list(os.getloadavg())
    OUT.with_name("only-counts.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    latest = json.loads(OUT.read_text()) if OUT.exists() else {}
    latest["counts"] = {**results["counts"], "machine": results["machine"],
                        "started": results["started"],
                        "load_average_at_end": results["load_average_at_end"]}
    latest["count_cost_ratio_large_vs_small"] = results["counts"][
        "count_cost_ratio_large_vs_small"]
    _write(latest)
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2))
    return 0


def only_gate(rounds: int) -> int:
    """The scenario gate before and after (bench/gate.py), merged into latest.json."""
    from bench import gate

    results = json.loads(OUT.read_text()) if OUT.exists() else {"machine": machine()}
    load_start = list(os.getloadavg())
    figures = gate.measure(rounds)
    figures["scenario_gate"]["load_average_at_start"] = load_start
    figures["scenario_gate"]["load_average_at_end"] = list(os.getloadavg())
    figures["scenario_gate"]["measured"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results.update(figures)
    _write(results)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


def only_letters(seconds: float) -> int:
    """The letters and the decision table of the shipped mandatory process against the same
    process without them (bench/letters.py); written to results/only-letters.json and merged
    into latest.json under `letters_and_decision`, the other keys kept."""
    from bench import letters

    figures: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        figures.update(letters.measure(Path(tmp), seconds))
    figures["load_average_at_end"] = list(os.getloadavg())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.with_name("only-letters.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    latest = json.loads(OUT.read_text()) if OUT.exists() else {"machine": machine()}
    latest["letters_and_decision"] = {k: v for k, v in figures.items() if k != "machine"} | {
        "load_average_at_start": figures["machine"]["load_average_at_start"]}
    _write(latest)
    print(json.dumps({k: v for k, v in figures.items() if k != "machine"}, indent=2,
                     ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    import logging
    logging.disable(logging.INFO)
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=["service", "large", "counts", "clerks_day", "gate",
                                            "letters", "persistence"],
                        help="run one section only (written to results/only-<section>.json; "
                             "counts, clerks_day and gate: also merged into latest.json)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="length of the interleaved engine/service measure (default "
                             f"{SERVICE_SECONDS}), or of the clerks' day's steady state (240)")
    parser.add_argument("--cases", type=int, default=30_000,
                        help="with --only clerks_day: the cases seeded (default 30,000)")
    parser.add_argument("--profile", metavar="FILE.html",
                        help="with --only service: also profile the service alone")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --only gate: how many before/after pairs")
    args = parser.parse_args(argv)
    if args.only == "clerks_day":
        return only_clerks_day(args.seconds or 240, args.cases)
    if args.only == "gate":
        return only_gate(args.rounds)
    if args.seconds is None:
        args.seconds = SERVICE_SECONDS
    if args.only == "service":
        return only_service(args.seconds, args.profile)
    if args.only == "persistence":
        return only_persistence(args.seconds)
    if args.only == "large":
        return only_large()
    if args.only == "counts":
        return only_counts()
    if args.only == "letters":
        return only_letters(args.seconds)
    from bench import http_load, large, sweep

    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if OUT.exists():  # measured apart (--only clerks_day): kept across full runs
        kept = json.loads(OUT.read_text()).get("clerks_day")
        if kept:
            results["clerks_day"] = kept
    t_all = time.perf_counter()
    pg_url = os.environ.get("BENCH_PG_URL", "")
    pg = PgDatabases(pg_url, os.environ.get("BENCH_PG_PREFIX", "bench")) if pg_url else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            tmp = Path(tmp)
            _section(results, t_all, "engine baseline and service layer, interleaved (SQLite)")
            es = engine_and_service(tmp, args.seconds)
            results.update({k: v for k, v in es.items() if not isinstance(v, dict)})
            results["engine"], results["service"] = es["engine"], es["service"]
            results["statistics_catch_up"] = es["statistics_catch_up"]
            _write(results)

            _section(results, t_all, "timer sweep, 1,000 and 100,000 open cases, 400 due")
            small, big = sweep.measure_pair(f"sqlite:///{tmp / 'sweep_small.sqlite'}",
                                            f"sqlite:///{tmp / 'sweep_large.sqlite'}")
            results["sweep"] = {"small": small, "large": big}
            results["timer_sweep_ms_per_due_small"] = small["ms_per_due"]
            results["timer_sweep_ms_per_due_large"] = big["ms_per_due"]
            results["sweep_ratio_large_vs_small"] = round(big["ms_per_due"] / small["ms_per_due"],
                                                          3)
            _write(results)

            _section(results, t_all, "400,000 cases: task list and case page (SQLite)")
            lg = large.measure(f"sqlite:///{tmp / 'large.sqlite'}")
            (tmp / "large.sqlite").unlink()
            results["large_sqlite"] = lg
            results["tasklist_p95_ms_large_sqlite"] = lg["tasklist"]["p95_ms"]
            results["case_page_p95_ms_large_sqlite"] = lg["case_page"]["p95_ms"]
            _write(results)

            if pg:
                _section(results, t_all, "400,000 cases: task list and case page (PostgreSQL)")
                lg = large.measure(pg.fresh("large"))
                results["large_postgresql"] = lg
                results["tasklist_p95_ms_large_postgresql"] = lg["tasklist"]["p95_ms"]
                results["case_page_p95_ms_large_postgresql"] = lg["case_page"]["p95_ms"]
                pg.drop_all()
                _write(results)
            sides = [s for s in ("sqlite", "postgresql") if f"large_{s}" in results]
            results["tasklist_p95_ms_large"] = max(results[f"tasklist_p95_ms_large_{s}"]
                                                   for s in sides)
            results["case_page_p95_ms_large"] = max(results[f"case_page_p95_ms_large_{s}"]
                                                    for s in sides)

            _section(results, t_all, "task list totals at 1,000 and 400,000 cases")
            results["counts"] = counts_section(tmp, pg)
            results["count_cost_ratio_large_vs_small"] = results["counts"][
                "count_cost_ratio_large_vs_small"]
            if pg:
                pg.drop_all()
            _write(results)

            _section(results, t_all, "REST API under gunicorn, locust clients (SQLite, 2 workers)")
            results["http_sqlite"] = http_load.measure(f"sqlite:///{tmp / 'http.sqlite'}",
                                                       workers=2)
            _write(results)
            if pg:
                _section(results, t_all, "REST API under gunicorn, locust clients (PostgreSQL)")
                results["http_postgresql"] = http_load.measure(pg.fresh("http"))
            main_http = results.get("http_postgresql") or results["http_sqlite"]
            results["http_database"] = main_http["database"]
            results["http_lifecycles_per_s"] = main_http["http_lifecycles_per_s"]
            results["http_p50_ms"] = main_http["p50_ms"]
            results["http_p95_ms"] = main_http["p95_ms"]
            results["server_peak_rss_mb"] = main_http["server_peak_rss_mb"]
            _write(results)
    finally:
        if pg:
            pg.drop_all()
    _section(results, t_all, "designers' scenario gate: old (one process) and new (sandbox.run)")
    from bench import gate
    results.update(gate.measure())
    _write(results)
    results["total_seconds"] = round(time.perf_counter() - t_all, 1)
    _write(results)
    print(json.dumps({k: v for k, v in results.items() if not isinstance(v, dict)}, indent=2))
    print(f"== written {OUT.relative_to(ROOT)} in {results['total_seconds']} s")
    return 0


def _section(results: dict, t0: float, title: str) -> None:
    print(f"== [{time.perf_counter() - t0:6.1f} s] {title}", flush=True)


def _write(results: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
