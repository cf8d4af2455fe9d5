"""Run the acceptance features (features/*.feature, through tests/bdd) against a draft BPMN, in
a sandbox: a separate Python process with its own temporary SQLite database and manual clock,
the draft's XML in place of the shipped bpmn/<key>.bpmn, a time limit, and an environment that
names no database of the caller's. The result is read from the Cucumber JSON it writes.

A run is split by feature into parts (SANDBOX_PARTS, default the number of cores, at most 2):
one pytest process per part, each with its own temporary directory, database, limits and report,
all started at once and stopped together at the time limit; their results are merged in the
order of the features. Inside each, one application serves every scenario, each on a fresh copy
of a database migrated and bootstrapped once (tests/bdd/conftest.py, BDD_SHARED_APP).

Nothing here touches the caller's database: scenario_runs.py records the outcome. Nothing reaches
the sandbox process unchecked: the key, the features and the XML are validated again
here, with the checks of a deployment, whatever the caller checked before (a draft saved as
valid before a rule was tightened is refused too).
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from services import bundles, processes
from services import groups as clerk_groups
from services.errors import Invalid

ROOT = Path(__file__).resolve().parents[2]  # the project (services/design/sandbox.py)
FEATURES_DIR = ROOT / "features"
SHIPPED_BPMN = ROOT / "bpmn"
SCENARIO_STATUSES = ("passed", "failed")  # a scenario's result (parse_cucumber; the API's enum)
# Only what a Python process needs to start; no DATABASE_URL, no secret of the caller's.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "PYTHONHASHSEED")
_OUTPUT_TAIL = 4000
# Address space of the sandbox process: a run takes about 150 MiB; a draft's script that builds
# an enormous value gets a MemoryError there instead of exhausting the machine.
MEMORY_LIMIT = 2 * 1024**3
# The sandbox's files (its throwaway databases) in memory when the machine has a tmpfs: a commit
# costs no disk flush. Nothing there outlives the run.
_FAST_TMP = Path("/dev/shm")
_POLL = 0.05  # seconds between two looks at the running parts


@dataclass(frozen=True)
class ScenarioResult:
    feature: str
    name: str
    tags: tuple[str, ...]
    status: str  # passed | failed
    message: str | None = None

    def as_dict(self) -> dict:
        return {"feature": self.feature, "name": self.name, "tags": list(self.tags),
                "status": self.status, "message": self.message}


@dataclass(frozen=True)
class SandboxResult:
    status: str  # reussi | echoue | erreur
    scenarios: tuple[ScenarioResult, ...] = field(default_factory=tuple)
    message: str | None = None  # French, when status is erreur

    @property
    def summary(self) -> dict:
        passed = sum(s.status == "passed" for s in self.scenarios)
        return {"passed": passed, "failed": len(self.scenarios) - passed,
                "total": len(self.scenarios)}


def available_features() -> list[str]:
    """The feature file stems a run may be restricted to (features/<stem>.feature)."""
    return sorted(p.stem for p in FEATURES_DIR.glob("*.feature"))


def default_parts() -> int:
    return max(1, min(2, os.cpu_count() or 1))


_SCENARIO_RE = re.compile(r"^\s*(Scénario|Scenario|Plan du scénario|Plan du Scénario|"
                          r"Scenario Outline|Exemple)\b", re.M)
_ROW_RE = re.compile(r"^\s*\|", re.M)


def weight(stem: str) -> int:
    """A rough cost of a feature: its scenarios plus its example rows (each runs once)."""
    text = (FEATURES_DIR / f"{stem}.feature").read_text(encoding="utf-8")
    return len(_SCENARIO_RE.findall(text)) + len(_ROW_RE.findall(text))


@dataclass(frozen=True)
class FeatureCount:
    """How many scenarios a run of a feature reports (parse_cucumber: one per scenario, one per
    example row of a scenario outline) and how many of them are example rows."""

    scenarios: int
    examples: int


def feature_count(stem: str) -> FeatureCount | None:
    """The scenarios a run of features/<stem>.feature reports, read as the run reads the file
    (pytest-bdd's parser); None when it cannot be read (the run leaves it out, saying why). A
    QA finding: the draft page counted 7 scenarios in a file whose run reported 9, its outline
    running once per example."""
    path = FEATURES_DIR / f"{stem}.feature"
    try:
        stat = path.stat()
    except OSError:
        return None
    return _feature_count(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _feature_count(path: Path, _mtime_ns: int, _size: int) -> FeatureCount | None:
    from pytest_bdd.exceptions import GherkinParseError  # pytest-bdd loads pytest: when asked
    from pytest_bdd.parser import FeatureParser

    try:
        feature = FeatureParser(str(path.parent), path.name).parse()
    except (GherkinParseError, OSError, UnicodeDecodeError):
        return None
    total = examples = 0
    for scenario in feature.scenarios.values():
        rows = sum(len(table.examples) for table in scenario.examples)
        total += rows if scenario.examples else 1
        examples += rows
    return FeatureCount(total, examples)


def split(features: list[str], parts: int) -> list[list[str]]:
    """`features` in at most `parts` non-empty groups of about equal weight (heaviest first,
    each to the lightest group), every group in the order of `features`."""
    parts = max(1, min(parts, len(features)))
    groups: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for stem in sorted(features, key=lambda f: (-weight(f), features.index(f))):
        i = loads.index(min(loads))
        groups[i].append(stem)
        loads[i] += weight(stem)
    order = {f: n for n, f in enumerate(features)}
    return [sorted(g, key=order.__getitem__) for g in groups if g]


def _environment(tmp: Path, bpmn_dir: Path, features: list[str]) -> dict[str, str]:
    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    env.update({
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",  # no code from the user's ~/.local
        "BPMN_DIR": str(bpmn_dir),
        "BDD_FEATURES": ",".join(features),
        # the acceptance fixtures use SQLite under --basetemp when this is empty; the other two
        # make sure that anything else would also land in the sandbox, never in a real database
        "TEST_DATABASE_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp / 'garde.sqlite'}",
        "INSTANCE_PATH": str(tmp / "instance"),
        "CLOCK_MODE": "manual",
        "BDD_SHARED_APP": "1",  # one app per process, a bootstrapped database copied per scenario
        # only the plugin the suite needs (pytest -p pytest_bdd.plugin below), not every one
        # installed: a faster start, and nothing else runs in the sandbox
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    })
    return env


def bundle_files(xml: bytes, files: dict | None) -> dict:
    """The bundle's files: those given, or the shipped forms and decision tables the BPMN
    references."""
    if files is not None:
        return dict(files)
    return bundles.shipped_files(xml, SHIPPED_BPMN / bundles.FORMS_DIR)


def check(key: str, xml: bytes, features: list[str], files: dict | None = None) -> None:
    """Invalid (French, per element) unless the bundle (`xml`, `files`; the shipped forms it
    references when None) would deploy as process `key` and every feature is a known feature
    file stem."""
    processes.check_key(key)  # also keeps <key>.bpmn inside the sandbox's directory
    known = set(available_features())
    unknown = [f for f in features if f not in known]
    if unknown:
        raise Invalid.field("features", f"Fonctionnalité inconnue « {unknown[0]} ».")
    processes.check_definition(key, xml, bundle_files(xml, files))


def _app_groups() -> list[dict]:
    """The application's groups ([] outside an application, e.g. a run from a unit test)."""
    from flask import has_app_context

    return clerk_groups.as_listed() if has_app_context() else []


def run(key: str, xml: bytes, features: list[str] | None = None,
        timeout: float = 900.0, parts: int | None = None,
        files: dict | None = None) -> SandboxResult:
    """Run `features` (stems; all when empty) with `xml` deployed as process `key`, in `parts`
    processes at once (default_parts()); Invalid, before anything is started, when `check`
    refuses them."""
    features = list(features or [])
    check(key, xml, features, files)
    files = bundle_files(xml, files)
    groups = split(features or available_features(), parts or default_parts())
    base = _FAST_TMP if _FAST_TMP.is_dir() and os.access(_FAST_TMP, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="bac-a-sable-", dir=base) as name:
        tmp = Path(name)
        bpmn_dir = processes_dir(tmp, key, xml, files)
        started: list[tuple[subprocess.Popen, Path]] = []
        try:
            for n, group in enumerate(groups, 1):
                started.append(_start(tmp / f"partie-{n}", bpmn_dir, group, timeout))
        except BaseException:
            for proc, _ in started:  # none left running when another could not start
                _kill(proc)
            raise
        codes = _wait_all([proc for proc, _ in started], timeout)
        if codes is None:
            return SandboxResult("erreur", message=(
                f"Délai dépassé : les scénarios n'ont pas fini en {int(timeout)} secondes ; "
                "le bac à sable a été arrêté."))
        verdicts = []
        for (_, part), code in zip(started, codes, strict=True):
            if code is None:  # stopped because another part stopped abnormally: that one tells
                continue
            tail = (part / "sortie.txt").read_bytes()[-_OUTPUT_TAIL:].decode("utf-8", "replace")
            report = part / "cucumber.json"
            verdicts.append(_verdict(code, parse_cucumber(report) if report.exists() else (),
                                     tail))
    return merge(verdicts, features or available_features())


def processes_dir(tmp: Path, key: str, xml: bytes, files: dict) -> Path:
    """`tmp`/bpmn: what the scenarios deploy: the shipped processes, with the bundle under test
    (`xml` and its `files`) as process `key`."""
    bpmn_dir = tmp / "bpmn"
    bpmn_dir.mkdir()
    for shipped in SHIPPED_BPMN.glob("*.bpmn"):
        shutil.copy(shipped, bpmn_dir / shipped.name)
    # the shipped processes' forms, decision tables and letters (their bundles need them)
    for folder in (bundles.FORMS_DIR, bundles.DECISIONS_DIR, bundles.LETTERS_DIR):
        if (SHIPPED_BPMN / folder).is_dir():
            shutil.copytree(SHIPPED_BPMN / folder, bpmn_dir / folder)
    (bpmn_dir / f"{key}.bpmn").unlink(missing_ok=True)
    # the application's clerks' groups: those a table or an action names exist there too
    (bpmn_dir / clerk_groups.GROUPS_FILE).write_text(json.dumps(_app_groups()),
                                                     encoding="utf-8")
    # the bundle under test, with its own forms (deploy_shipped reads <key>.zip)
    (bpmn_dir / f"{key}.zip").write_bytes(bundles.to_zip(key, xml, files))
    return bpmn_dir


def _start(part: Path, bpmn_dir: Path, features: list[str],
           timeout: float) -> tuple[subprocess.Popen, Path]:
    """One pytest process on `features`, in its own directory, confined before it runs."""
    part.mkdir()
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "bdd"), "-q",
           "-p", "no:cacheprovider", "-p", "pytest_bdd.plugin", f"--basetemp={part / 'pytest'}",
           f"--cucumberjson={part / 'cucumber.json'}", "--rootdir", str(ROOT)]
    with (part / "sortie.txt").open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_environment(part, bpmn_dir, features),
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    _confine(proc.pid, timeout)
    return proc, part


def _wait_all(procs: list[subprocess.Popen], timeout: float) -> list[int | None] | None:
    """The exit codes of every part; None when the time limit passed first (all are killed).
    A part that stops abnormally (neither passed nor failed scenarios) stops the others, whose
    code is then None: the run is an error whatever they would have found."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            codes = [p.poll() for p in procs]
            if all(c is not None for c in codes):
                return codes
            if any(c not in (None, 0, 1, 5) for c in codes):
                stopped = [p.poll() is None for p in procs]
                for p, stop in zip(procs, stopped, strict=True):
                    if stop:
                        _kill(p)
                return [None if stop else p.wait() for p, stop in zip(procs, stopped,
                                                                       strict=True)]
            if time.monotonic() >= deadline:
                return None
            time.sleep(_POLL)
    finally:
        for p in procs:
            if p.poll() is None:
                _kill(p)


def merge(verdicts: list[SandboxResult], features: list[str] | None = None) -> SandboxResult:
    """One result from the parts' (their scenarios in the order of `features`, as one process
    would list them): an error when a part erred (its message), except a part that ran no
    scenario while others did; failed when a scenario failed; passed otherwise."""
    scenarios = tuple(s for v in verdicts for s in v.scenarios)
    if features:
        rank = {f: n for n, f in enumerate(features)}
        scenarios = tuple(sorted(scenarios, key=lambda s: rank.get(s.feature, len(rank))))
    if not scenarios:
        erred = next((v for v in verdicts if v.status == "erreur"), None)
        return SandboxResult("erreur", (), erred.message if erred else
                             "Aucun scénario n'a été exécuté.")
    for v in verdicts:
        if v.status == "erreur" and v.scenarios:
            return SandboxResult("erreur", scenarios, v.message)
        if v.status == "erreur" and v.message != "Aucun scénario n'a été exécuté.":
            return SandboxResult("erreur", scenarios, v.message)
    if any(v.status == "echoue" for v in verdicts):
        return SandboxResult("echoue", scenarios)
    return SandboxResult("reussi", scenarios)


def _confine(pid: int, timeout: float) -> None:
    """Kernel limits on the sandbox process, which hold even when the process that started it
    dies (a web worker restarted mid-run leaves it running in its own session): CPU seconds (the
    time limit) and memory. Set before it has imported pytest, let alone run a draft's code."""
    cpu = max(1, math.ceil(timeout))
    try:
        resource.prlimit(pid, resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except ProcessLookupError:
        pass  # already gone: nothing left to confine


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _verdict(code: int, scenarios: tuple[ScenarioResult, ...], tail: str) -> SandboxResult:
    failed = any(s.status == "failed" for s in scenarios)
    if code == 0 and scenarios and not failed:
        return SandboxResult("reussi", scenarios)
    if code == 1 and failed:
        return SandboxResult("echoue", scenarios)
    if code == 5 or (code == 0 and not scenarios):
        return SandboxResult("erreur", scenarios, "Aucun scénario n'a été exécuté.")
    return SandboxResult("erreur", scenarios,
                         f"Le bac à sable s'est arrêté anormalement (code {code}). "
                         f"Fin de sa sortie :\n{tail[-1500:]}")


_E_LINE = re.compile(r"^E +(.*)$", re.M)
_EXCEPTION_PREFIX = re.compile(r"^(?:[a-z_]\w*\.)*[A-Z]\w*: ")


def _short_message(error: str) -> str:
    """The assertion or error a business analyst can read, not the whole traceback."""
    lines = [m.group(1).rstrip() for m in _E_LINE.finditer(error or "")]
    if lines:
        text = "\n".join(lines).strip()
    else:
        rest = (error or "").strip().splitlines()
        text = rest[-1] if rest else ""
    return _EXCEPTION_PREFIX.sub("", text or "échec")[:1000]


def parse_cucumber(path: Path) -> tuple[ScenarioResult, ...]:
    """Per-scenario results (one per example row of a scenario outline) from Cucumber JSON."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    out = []
    for feature in document if isinstance(document, list) else []:
        for element in feature.get("elements") or []:
            if element.get("type", "scenario") != "scenario":
                continue
            name = element.get("name") or ""
            example = re.search(r"\[(.*)\]$", element.get("id") or "")
            if example:
                name = f"{name} [{example.group(1)}]"
            steps = element.get("steps") or []
            failing = next((s for s in steps if (s.get("result") or {}).get("status")
                            != "passed"), None)
            message = None
            if failing is not None:
                error = (failing.get("result") or {}).get("error_message") or ""
                message = (f"{failing.get('keyword', '').strip()} {failing.get('name', '')} : "
                           f"{_short_message(error)}")
            out.append(ScenarioResult(
                feature=Path(feature.get("uri") or "").stem or feature.get("name") or "",
                name=name, tags=tuple(t.get("name", "") for t in element.get("tags") or []),
                status="failed" if failing is not None or not steps else "passed",
                message=message))
    return tuple(out)
