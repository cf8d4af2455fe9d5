"""Lifecycles through the REST API under gunicorn (gunicorn.conf.py), driven by locust with
concurrent simulated clerks on loopback; the server's peak memory is the largest sum of the
gunicorn processes' resident sets seen while it ran (sampled from /proc)."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import common

ROOT = Path(__file__).resolve().parents[1]
LOAD_VENV = ROOT / "bench" / ".venv-load"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class MemorySampler(threading.Thread):
    """Largest sum of the master's and its workers' RSS, sampled every `every` seconds."""

    def __init__(self, master: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.master, self.every = master, every
        self.peak_kb, self.workers_peak_kb, self.stop = 0, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            workers = sum(_rss_kb(c) for c in _children(self.master))
            self.workers_peak_kb = max(self.workers_peak_kb, workers)
            self.peak_kb = max(self.peak_kb, workers + _rss_kb(self.master))
            self.stop.wait(self.every)


def start_server(url: str, workers: int | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the application on `url`'s database, on a free local port."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "CLOCK_MODE": "system", "SECRET_KEY": "bench",
           "WEB_BIND": f"127.0.0.1:{port}", "WEB_ACCESS_LOG": "/dev/null",
           "WEB_LOG_LEVEL": "warning"}
    if workers:
        env["WEB_WORKERS"] = str(workers)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c",
                               str(ROOT / "gunicorn.conf.py"), "app:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    return server, port


def _plan(today, tokens) -> dict:
    import datetime as dt

    day1, day2 = common.course_days(today)
    received = today - dt.timedelta(days=40)
    return {"admin": tokens["admin"], "agent": tokens["agent"], "centre": common.CENTRE,
            "today": today.isoformat(), "day1": day1.isoformat(), "day2": day2.isoformat(),
            "obtained_on": (today - dt.timedelta(days=300)).isoformat(),
            "infraction_on": (today - dt.timedelta(days=60)).isoformat(),
            "sent_on": (received - dt.timedelta(days=3)).isoformat(),
            "received_on": received.isoformat()}


def _wait_up(url: str, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def _summary(stats_csv: Path) -> dict:
    rows = {r["Name"]: r for r in csv.DictReader(stats_csv.open())}

    def ms(row, col):
        value = row.get(col)
        return float(value) if value not in (None, "", "N/A") else None

    per = {name: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                  "p50_ms": ms(r, "50%"), "p95_ms": ms(r, "95%")}
           for name, r in rows.items() if name != "Aggregated"}
    agg = rows["Aggregated"]
    return {"requests": int(agg["Request Count"]), "failures": int(agg["Failure Count"]),
            "requests_per_s": round(float(agg["Requests/s"]), 1),
            "p50_ms": ms(agg, "50%"), "p95_ms": ms(agg, "95%"), "per_request": per}


def measure(url: str, users: int = 6, seconds: int = 45, workers: int | None = None) -> dict:
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        raise RuntimeError(f"{locust} missing: bash bench/run.sh installs bench/requirements.txt")
    app = common.fresh_app(url)
    with app.app_context():
        from services.clock import clock
        from services.db import db

        today = clock().today()
        tokens = common.bootstrap(today)
        db.session.remove()
        db.engine.dispose()
    server, port = start_server(url, workers)
    sampler = None
    try:
        _wait_up(f"http://127.0.0.1:{port}/api/v1/openapi.json", server)
        n_workers = len(_children(server.pid))
        sampler = MemorySampler(server.pid)
        sampler.start()
        with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
            out = Path(tmp)
            lenv = {**os.environ, "BENCH_PLAN": json.dumps(_plan(today, tokens)),
                    "BENCH_LIFECYCLES_FILE": str(out / "lifecycles.json")}
            t0 = time.perf_counter()
            run = subprocess.run(
                [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "http"),
                 "--only-summary", "--loglevel", "WARNING"],
                env=lenv, capture_output=True, text=True, timeout=seconds + 120)
            elapsed = time.perf_counter() - t0
            if not (out / "http_stats.csv").exists():
                raise RuntimeError(f"locust failed ({run.returncode}): {run.stderr[-2000:]}")
            summary = _summary(out / "http_stats.csv")
            done = json.loads((out / "lifecycles.json").read_text())["done"]
    finally:
        if sampler:
            sampler.stop.set()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"database": url.split(":", 1)[0].split("+")[0], "gunicorn_workers": n_workers,
            "clients": users, "seconds": seconds, "lifecycles": done,
            "http_lifecycles_per_s": round(done / seconds, 2),
            "p50_ms": summary["p50_ms"], "p95_ms": summary["p95_ms"],
            "requests": summary["requests"], "failures": summary["failures"],
            "requests_per_s": summary["requests_per_s"],
            "server_peak_rss_mb": round(sampler.peak_kb / 1024, 1),
            "workers_peak_rss_mb": round(sampler.workers_peak_kb / 1024, 1),
            "wall_s": round(elapsed, 1), "per_request": summary["per_request"]}


if __name__ == "__main__":  # pragma: no cover - manual runs
    print(json.dumps(measure(sys.argv[1]), indent=2))
