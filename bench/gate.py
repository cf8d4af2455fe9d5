"""The designers' scenario gate (issue 17, item 2): the whole acceptance suite as the old gate ran
it (one pytest process over tests/bdd, a fresh app and a bootstrap per scenario, files on disk,
every installed pytest plugin) against the gate of today (services/design/sandbox.run: parts in
parallel, one app per part, a bootstrapped database copied per scenario), in the same bench run,
with the load average around each. Both runs must give the same scenarios with the same results.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "stage_obligatoire"  # the draft under test: the shipped version itself


def _old_gate(xml: bytes) -> tuple[float, tuple, int]:
    """services/design/sandbox.run before issue 17: one process, its command and environment."""
    from services.design import sandbox

    with tempfile.TemporaryDirectory(prefix="bac-a-sable-avant-") as name:
        tmp = Path(name)
        # the same processes as the gate of today deploys (forms, decision tables, letters,
        # groups: without them the scenarios that need them fail, and fail fast)
        bpmn_dir = sandbox.processes_dir(tmp, KEY, xml, sandbox.bundle_files(xml, None))
        env = sandbox._environment(tmp, bpmn_dir, [])
        for new in ("BDD_SHARED_APP", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            env.pop(new)
        report = tmp / "cucumber.json"
        cmd = [sys.executable, "-m", "pytest", str(sandbox.ROOT / "tests" / "bdd"), "-q",
               "-p", "no:cacheprovider", f"--basetemp={tmp / 'pytest'}",
               f"--cucumberjson={report}", "--rootdir", str(sandbox.ROOT)]
        t = time.perf_counter()
        code = subprocess.run(cmd, cwd=sandbox.ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL).returncode
        seconds = time.perf_counter() - t
        return seconds, sandbox.parse_cucumber(report), code


def measure(rounds: int = 1) -> dict:
    """`rounds` pairs (old gate, then new gate); the figures are sums over the rounds."""
    from services.design import sandbox

    xml = (sandbox.SHIPPED_BPMN / f"{KEY}.bpmn").read_bytes()
    before, after, loads, same = [], [], [], True
    for _ in range(rounds):
        loads.append(round(os.getloadavg()[0], 2))
        seconds, old, code = _old_gate(xml)
        before.append(round(seconds, 1))
        loads.append(round(os.getloadavg()[0], 2))
        t = time.perf_counter()
        new = sandbox.run(KEY, xml, [])
        after.append(round(time.perf_counter() - t, 1))
        loads.append(round(os.getloadavg()[0], 2))
        key = lambda s: (s.feature, s.name, s.status)  # noqa: E731
        same = same and code == 0 and new.status == "reussi" and \
            sorted(map(key, old)) == sorted(map(key, new.scenarios)) and len(old) > 0
    b, a = sum(before), sum(after)
    return {
        "scenario_gate_seconds_before": round(b / rounds, 1),
        "scenario_gate_seconds_after": round(a / rounds, 1),
        "scenario_gate_speedup": round(b / a, 2),
        "scenario_gate": {
            "rounds": rounds, "seconds_before": before, "seconds_after": after,
            "parts": sandbox.default_parts(), "scenarios": len(new.scenarios),
            "same_results": same,
            # 1-minute load average before the old gate, between, and after the new one
            "load_average_1min": loads,
        },
    }
