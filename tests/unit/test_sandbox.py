"""services/sandbox.py without running the suite: reading Cucumber JSON, the verdict, the
environment handed to the sandbox process, the time limit."""

from __future__ import annotations

import json

import pytest

from services.design import sandbox
from services.errors import Invalid
from tests.designer_support import VOLONTAIRE

STEP_OK = {"keyword": "Étant donné", "name": "un permis", "result": {"status": "passed"}}
STEP_KO = {"keyword": "Alors", "name": "4 points sont crédités", "result": {
    "status": "failed",
    "error_message": "    def verifier():\n>       assert obtenu == attendu\n"
                     "E       AssertionError: Points crédités attendus : 4 ; points crédités "
                     "obtenus : aucun\nE       assert None == 4\n\ntests/bdd/outils.py:52: "
                     "AssertionError"}}


def cucumber(tmp_path, elements):
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"uri": "features/volontaire.feature", "name": "Stage volontaire",
                                 "elements": elements}]), encoding="utf-8")
    return path


def test_scenarios_and_outline_examples_are_read_with_a_readable_failure(tmp_path):
    path = cucumber(tmp_path, [
        {"type": "scenario", "id": "test_a", "name": "A", "tags": [{"name": "R26"}],
         "steps": [STEP_OK, STEP_KO]},
        {"type": "scenario", "id": "test_b[01/09/2026-0]", "name": "B", "tags": [],
         "steps": [STEP_OK]},
        {"type": "background", "name": "fond", "steps": [STEP_OK]},
    ])
    a, b = sandbox.parse_cucumber(path)
    assert (a.feature, a.name, a.tags, a.status) == ("volontaire", "A", ("R26",), "failed")
    assert a.message == ("Alors 4 points sont crédités : Points crédités attendus : 4 ; points "
                         "crédités obtenus : aucun\nassert None == 4")
    assert (b.name, b.status, b.message) == ("B [01/09/2026-0]", "passed", None)


def test_unreadable_report_gives_no_scenario(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{pas du json", encoding="utf-8")
    assert sandbox.parse_cucumber(bad) == ()


def test_verdicts():
    passed = sandbox.ScenarioResult("f", "A", (), "passed")
    failed = sandbox.ScenarioResult("f", "B", (), "failed", "x")
    assert sandbox._verdict(0, (passed,), "").status == "reussi"
    assert sandbox._verdict(1, (passed, failed), "").status == "echoue"
    assert sandbox._verdict(1, (passed, failed), "").summary == {"passed": 1, "failed": 1,
                                                                  "total": 2}
    nothing = sandbox._verdict(5, (), "")
    assert nothing.status == "erreur" and "Aucun scénario" in nothing.message
    crashed = sandbox._verdict(3, (passed,), "INTERNALERROR> boom")
    assert crashed.status == "erreur" and "boom" in crashed.message and "code 3" in crashed.message
    assert sandbox._verdict(1, (passed,), "").status == "erreur"  # failed outside scenarios


def test_the_sandbox_environment_names_no_database_of_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://secret@prod/stages")
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql+psycopg://secret@prod/test")
    monkeypatch.setenv("SECRET_KEY", "ne-pas-transmettre")
    env = sandbox._environment(tmp_path, tmp_path / "bpmn", ["volontaire"])
    assert env["TEST_DATABASE_URL"] == ""
    assert env["DATABASE_URL"].startswith(f"sqlite:///{tmp_path}")
    assert env["INSTANCE_PATH"].startswith(str(tmp_path)) and env["CLOCK_MODE"] == "manual"
    assert "secret" not in json.dumps(env) and "SECRET_KEY" not in env
    assert env["BPMN_DIR"] == str(tmp_path / "bpmn") and env["BDD_FEATURES"] == "volontaire"


def test_a_run_past_its_time_limit_is_stopped_and_reported():
    result = sandbox.run("stage_volontaire", VOLONTAIRE, ["volontaire"], timeout=0.5)
    assert result.status == "erreur" and "Délai dépassé" in result.message
    assert result.scenarios == ()


def test_features_are_the_stems_of_the_feature_files():
    stems = sandbox.available_features()
    assert "volontaire" in stems and "stage_obligatoire" in stems
    assert all("/" not in s and not s.endswith(".feature") for s in stems)


@pytest.fixture
def no_process(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a sandbox process was started")

    monkeypatch.setattr(sandbox.subprocess, "Popen", refuse)


CODE_IN_SCRIPT = VOLONTAIRE.replace(b'crediter_points("crediter", "")',
                                    b"__import__('os').system('id')", 1)


@pytest.mark.parametrize(("key", "xml", "features", "field"), [
    ("stage_volontaire", CODE_IN_SCRIPT, [], None),
    ("../../tmp/x", VOLONTAIRE, [], "key"),
    ("stage_volontaire", VOLONTAIRE, ["../../etc/passwd"], "features"),
    ("stage_volontaire", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', [],
     "document"),
])
def test_nothing_invalid_ever_reaches_the_sandbox_process(no_process, key, xml, features, field):
    with pytest.raises(Invalid) as refused:
        sandbox.run(key, xml, features, timeout=5)
    assert refused.value.errors
    if field:
        assert field in refused.value.errors


def test_the_sandbox_process_gets_cpu_and_memory_limits_that_outlive_its_parent():
    import resource
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                             start_new_session=True)
    try:
        sandbox._confine(child.pid, 12.5)
        assert resource.prlimit(child.pid, resource.RLIMIT_CPU) == (13, 18)
        assert resource.prlimit(child.pid, resource.RLIMIT_AS) == (sandbox.MEMORY_LIMIT,
                                                                   sandbox.MEMORY_LIMIT)
    finally:
        child.kill()
        child.wait()
    sandbox._confine(child.pid, 1)  # gone already: no error


def test_a_script_that_builds_an_enormous_value_hits_the_memory_limit():
    """x doubles 30 times: a 2 GiB text, 3 GiB while the last copy is made, past the limit. The
    MemoryError in the sandbox fails the scenarios (without the limit they would pass, after
    taking 3 GiB of the machine for a moment)."""
    greedy = VOLONTAIRE.replace(b'crediter_points("crediter", "")',
                                b'x = "ab"\nfor i in range(30):\n    x = x + x\nx = 0\n'
                                b'crediter_points("crediter", "")', 1)
    assert sandbox.MEMORY_LIMIT < 3 * 1024**3
    result = sandbox.run("stage_volontaire", greedy, ["volontaire"], timeout=300)
    assert result.status == "echoue", (result.status, result.message)
    crediting = [s for s in result.scenarios if "crédite 4 points" in s.name]
    assert crediting and crediting[0].status == "failed"
