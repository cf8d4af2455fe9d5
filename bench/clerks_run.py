"""A clerks' day on PostgreSQL behind gunicorn (`python -m bench --only clerks_day`).

1. Seed: the five real templates of bench/large.py (waiting for an enrolment, enrolled in a
   session whose days are over, attestation to verify, deadline passed with a referral task,
   closed), cloned in bulk by bench/seed.py, each copy with its template's real engine state
   (a command or the HTML case page restores it). Then the people: CLERKS agents and
   CENTRE_OPERATORS centre users with a token each, and future sessions to enrol cases in.
2. Serve: gunicorn with gunicorn.conf.py (default workers: 2 x CPUs + 1), its peak memory
   sampled from /proc as bench/http_load.py does, and the load average every second; beside it
   the background worker of production (`flask timers run --loop`: the due timers, then the
   outbox, where the letters made by the day's validations are laid out as PDF), on the same
   two cores. Its CPU time and the letters it laid out are reported. Before the day, one
   sweep fires the timers the seeded copies have already due (the night's sweep), so that the
   day's worker does what a day brings.
3. Run bench/clerks_day.py with locust, headless: all users started within a few seconds,
   then the statistics reset, then `seconds` of steady state measured.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench import clerks_profile as profile
from bench import common, large, seed
from bench.http_load import LOAD_VENV, ROOT, MemorySampler, _children, _wait_up, start_server

FUTURE_SESSIONS = 40
TARGETS_MS = {"read": 100, "command": 250}  # p95, issue 17


def _future_days(today: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    from services.rules import dates as rdates

    days, day1 = [], today + dt.timedelta(days=21)
    while len(days) < n:
        if not rdates.course_days_problems(day1, day1 + dt.timedelta(days=1)):
            days.append((day1, day1 + dt.timedelta(days=1)))
        day1 += dt.timedelta(days=1)
    return days


def seed_day(url: str, total: int) -> tuple[dict, dict]:
    """The database of a clerks' day; returns (the plan for locust, what was seeded)."""
    from services import sessions, users
    from services.clock import clock
    from services.db import db, transaction

    app = common.fresh_app(url)
    with app.app_context():
        today = clock().today()
        common.bootstrap(today)
        tpls = large._templates(common.Numbers("5"), today)
        t0 = time.perf_counter()
        # every copy keeps its template's real engine state: a completion, an attendance or
        # an enrolment restores it, and so does the HTML case page (its diagram's position)
        n = seed.clone([(tpls[k], int(total * share)) for k, share in large.SHARE.items()],
                       state_json=None, prefix=8)
        seeded = time.perf_counter() - t0
        clerks, centres = [], []
        with transaction():
            admin = users.get_by_name("admin")
            made = [users.create(f"clerc{i:02d}", "agent", "motdepasse-bench")
                    for i in range(1, profile.CLERKS + 1)]
            made_c = [users.create(f"centre{i}", "centre", "motdepasse-bench", common.CENTRE)
                      for i in range(1, profile.CENTRE_OPERATORS + 1)]
            future = [sessions.create({"centre": common.CENTRE, "day1": d1, "day2": d2,
                                       "capacity": 20}, admin).id
                      for d1, d2 in _future_days(today, FUTURE_SESSIONS)]
        with transaction():
            clerks = [users.new_token(u) for u in made]
            centres = [users.new_token(u) for u in made_c]
        seed.analyze()
        q = db.session.execute
        attendance = [r[0] for r in q(db.text(
            "SELECT DISTINCT s.id FROM course_sessions s JOIN enrollments e "
            "ON e.session_id = s.id WHERE s.status = 'planned' AND s.day2 < :today "
            "AND e.status = 'enrolled' ORDER BY s.id"), {"today": today})]
        per_key = dict(q(db.text("SELECT key, count(*) FROM human_tasks WHERE state = 'open' "
                                 "GROUP BY key")).all())
        case_ids = [r[0] for r in q(db.text(
            "SELECT id FROM cases ORDER BY random() LIMIT 2000"))]  # the ids have gaps
        numbers = [r[0] for r in q(db.text(
            "SELECT number FROM licences ORDER BY random() LIMIT 300"))]
        refs = [r[0] for r in q(db.text(
            "SELECT reference FROM cases ORDER BY random() LIMIT 100"))]
        size = q(db.text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
        db.session.remove()
        db.engine.dispose()
    received = today - dt.timedelta(days=40)
    plan = {
        "clerks": clerks, "centres": centres, "centre": common.CENTRE,
        "today": today.isoformat(), "case_ids": case_ids,
        "pages_per_key": {k: max(1, min(50, v // 20)) for k, v in per_key.items()},
        "search_terms": numbers[:200] + refs, "licence_numbers": numbers,
        "attendance_sessions": attendance, "future_sessions": future,
        "obtained_on": (today - dt.timedelta(days=300)).isoformat(),
        "infraction_on": (today - dt.timedelta(days=60)).isoformat(),
        "sent_on": (received - dt.timedelta(days=3)).isoformat(),
        "received_on": received.isoformat()}
    seeded_info = {"cases": n + 25, "open_tasks_by_key": per_key,
                   "sessions_awaiting_attendance": len(attendance),
                   "future_sessions": len(future), "database_size": size,
                   "seed_s": round(seeded, 1)}
    return plan, seeded_info


WORKER_INTERVAL_S = 2.0


def _worker_env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "CLOCK_MODE": "system", "SECRET_KEY": "bench",
            "FLASK_APP": "app"}


def catch_up(url: str) -> dict:
    """The night's sweep before the day: the seeded cases whose timers are already due (the
    copies keep their template's timers) fire now, not in the middle of the measured day."""
    t = time.perf_counter()
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "timers", "run"], cwd=ROOT,
                         env=_worker_env(url), capture_output=True, text=True, timeout=3600)
    words = run.stdout.split()
    return {"timers_fired": int(words[0]) if words and words[0].isdigit() else None,
            "seconds": round(time.perf_counter() - t, 1)}


def start_worker(url: str) -> subprocess.Popen:
    """The timers and outbox worker of production, on the day's database."""
    return subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "timers", "run", "--loop",
                             "--interval", str(WORKER_INTERVAL_S)], cwd=ROOT,
                            env=_worker_env(url), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def letters_made(url: str) -> dict:
    """How many of the day's letters the worker laid out (the rest wait for their turn, or for
    a download, which lays them out)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT count(*), count(pdf_made_at) FROM letter "
                                "WHERE html IS NOT NULL")).one()
    engine.dispose()
    return {"letters": row[0], "laid_out": row[1]}


class LoadSampler(threading.Thread):
    def __init__(self, every: float = 1.0):
        super().__init__(daemon=True)
        self.every, self.peak, self.stop = every, 0.0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, os.getloadavg()[0])
            self.stop.wait(self.every)


def _ms(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(common.pct(values, 50), 1),
            "p95_ms": round(common.pct(values, 95), 1),
            "p99_ms": round(common.pct(values, 99), 1)}


def summarise(raw: dict, seconds: float) -> dict:
    """Per request name and per kind (read, command): count, p50/p95/p99 (exact, from every
    response time of the steady state), failures and conflicts told."""
    times, conflicts, failures = raw["times"], raw["conflicts"], raw["failures"]
    per = {name: {**_ms(ts), "failures": failures.get(name, 0),
                  "conflicts_told": conflicts.get(name, 0)}
           for name, ts in sorted(times.items())}
    kinds = {}
    for k in ("read", "command"):
        ts = [t for name, v in times.items() if profile.kind(name) == k for t in v]
        kinds[k] = {**_ms(ts), "target_p95_ms": TARGETS_MS[k],
                    "p95_met": bool(ts) and common.pct(ts, 95) <= TARGETS_MS[k]}
    n = sum(len(v) for v in times.values())
    return {"requests": n, "requests_per_s": round(n / seconds, 1),
            "read_share": round(kinds["read"]["n"] / n, 3) if n else None,
            "failures": sum(failures.values()), "conflicts_told": sum(conflicts.values()),
            "reads": kinds["read"], "commands": kinds["command"],
            "failure_samples": raw.get("failure_samples", {}), "per_request": per}


def measure(url: str, total: int = 30_000, seconds: int = 240, workers: int | None = None) -> dict:
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        raise RuntimeError(f"{locust} missing: bash bench/run.sh installs bench/requirements.txt")
    plan, seeded = seed_day(url, total)
    before_day = catch_up(url)
    server, port = start_server(url, workers)
    worker = start_worker(url)
    users = profile.CLERKS + profile.CENTRE_OPERATORS
    sampler = loads = None
    worker_cpu = None
    try:
        _wait_up(f"http://127.0.0.1:{port}/api/v1/openapi.json", server)
        n_workers = len(_children(server.pid))
        load_start = list(os.getloadavg())
        worker_cpu_start = _cpu_seconds(worker.pid) or 0.0
        sampler, loads = MemorySampler(server.pid), LoadSampler()
        sampler.start()
        loads.start()
        with tempfile.TemporaryDirectory(prefix="bench-clerks-") as tmp:
            out = Path(tmp)
            lenv = {**os.environ, "BENCH_PLAN": json.dumps(plan),
                    "BENCH_RAW_FILE": str(out / "raw.json")}
            spawn_rate = 10
            run_s = seconds + users // spawn_rate + 2
            t0 = time.perf_counter()
            run = subprocess.run(
                [str(locust), "-f", str(ROOT / "bench" / "clerks_day.py"), "--headless",
                 "-u", str(users), "-r", str(spawn_rate), "-t", f"{run_s}s", "--reset-stats",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "day"),
                 "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
                env=lenv, capture_output=True, text=True, timeout=run_s + 180)
            elapsed = time.perf_counter() - t0
            if not (out / "raw.json").exists():
                raise RuntimeError(f"locust failed ({run.returncode}): {run.stderr[-2000:]}")
            raw = json.loads((out / "raw.json").read_text())
        load_end = list(os.getloadavg())
        worker_cpu = _cpu_seconds(worker.pid)
        worker_cpu = None if worker_cpu is None else round(worker_cpu - worker_cpu_start, 1)
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        for s in (sampler, loads):
            if s:
                s.stop.set()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    steady = raw["steady_s"] or seconds
    return {"database": "postgresql", **seeded, "gunicorn_workers": n_workers,
            "clerks": profile.CLERKS, "centre_operators": profile.CENTRE_OPERATORS,
            "think_s": list(profile.THINK_SECONDS),
            "centre_think_s": list(profile.CENTRE_THINK_SECONDS),
            "mix_weights": profile.MIX, "steady_s": round(steady, 1),
            **summarise(raw, steady),
            "server_peak_rss_mb": round(sampler.peak_kb / 1024, 1),
            "workers_peak_rss_mb": round(sampler.workers_peak_kb / 1024, 1),
            "load_average_at_start": load_start, "load_average_at_end": load_end,
            "load_average_1min_peak": round(loads.peak, 2), "wall_s": round(elapsed, 1),
            "night_sweep_before_the_day": before_day,
            "background_worker": {"cpu_s_during_the_day": worker_cpu,
                                  "interval_s": WORKER_INTERVAL_S, **letters_made(url)},
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
