"""A scenario run split into parallel parts (services/design/sandbox.py, issue 17): the split of
the features, the merged verdict, the parts stopped together, and the merged result of a real
run in two parts equal to the one of a single process."""

from __future__ import annotations

import subprocess
import sys
import time

from services.design import sandbox
from tests.designer_support import VOLONTAIRE

OK = sandbox.ScenarioResult("volontaire", "A", (), "passed")
KO = sandbox.ScenarioResult("sessions", "B", (), "failed", "Alors … : attendu 4")


def test_every_feature_runs_in_exactly_one_part_in_the_order_asked():
    features = sandbox.available_features()
    for parts in (1, 2, 3, len(features), len(features) + 4):
        groups = sandbox.split(features, parts)
        assert len(groups) == min(parts, len(features))
        assert sorted(f for g in groups for f in g) == sorted(features)
        assert all(g == sorted(g, key=features.index) for g in groups)
    assert sandbox.split(["sessions", "volontaire"], 2) == [["sessions"], ["volontaire"]] or \
        sandbox.split(["sessions", "volontaire"], 2) == [["volontaire"], ["sessions"]]


def test_the_two_parts_of_the_whole_suite_weigh_about_the_same():
    features = sandbox.available_features()
    a, b = (sum(map(sandbox.weight, g)) for g in sandbox.split(features, 2))
    assert abs(a - b) <= max(map(sandbox.weight, features))


def test_a_failing_scenario_in_one_part_fails_the_run():
    merged = sandbox.merge([sandbox.SandboxResult("reussi", (OK,)),
                            sandbox.SandboxResult("echoue", (KO,))])
    assert merged.status == "echoue" and merged.scenarios == (OK, KO)
    assert merged.summary == {"passed": 1, "failed": 1, "total": 2}
    assert sandbox.merge([sandbox.SandboxResult("reussi", (OK,)),
                          sandbox.SandboxResult("reussi", (OK,))]).status == "reussi"


def test_an_error_in_one_part_is_the_error_of_the_run():
    crashed = sandbox.SandboxResult("erreur", (KO,), "Le bac à sable s'est arrêté (code 3).")
    merged = sandbox.merge([sandbox.SandboxResult("reussi", (OK,)), crashed])
    assert merged.status == "erreur" and merged.message == crashed.message
    assert merged.scenarios == (OK, KO)
    silent = sandbox.SandboxResult("erreur", (), "Le bac à sable s'est arrêté (code -9).")
    assert sandbox.merge([sandbox.SandboxResult("reussi", (OK,)), silent]).status == "erreur"


def test_no_scenario_anywhere_is_an_error_but_an_empty_part_beside_others_is_not():
    empty = sandbox.SandboxResult("erreur", (), "Aucun scénario n'a été exécuté.")
    assert sandbox.merge([empty, empty]).status == "erreur"
    assert sandbox.merge([sandbox.SandboxResult("reussi", (OK,)), empty]).status == "reussi"


def _sleeper(seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"],
                            start_new_session=True)


def test_a_part_past_the_time_limit_stops_every_part():
    quick, slow = _sleeper(0), _sleeper(60)
    t = time.monotonic()
    assert sandbox._wait_all([quick, slow], timeout=1.0) is None
    assert time.monotonic() - t < 10
    assert quick.poll() is not None and slow.poll() is not None  # both ended, none left


def test_a_part_that_stops_abnormally_stops_the_others_at_once():
    crashed = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"],
                               start_new_session=True)
    slow = _sleeper(60)
    t = time.monotonic()
    codes = sandbox._wait_all([crashed, slow], timeout=60)
    assert time.monotonic() - t < 10
    assert codes == [3, None]  # the part stopped by the other reports nothing
    assert slow.poll() is not None


def test_a_real_run_past_its_time_limit_stops_both_parts():
    result = sandbox.run("stage_volontaire", VOLONTAIRE, ["volontaire", "sessions"],
                         timeout=0.5, parts=2)
    assert result.status == "erreur" and "Délai dépassé" in result.message


def test_two_parts_give_the_scenarios_and_results_of_one_process():
    features = ["invalidation", "volontaire"]
    one = sandbox.run("stage_volontaire", VOLONTAIRE, features, timeout=300, parts=1)
    two = sandbox.run("stage_volontaire", VOLONTAIRE, features, timeout=300, parts=2)
    assert one.status == two.status == "reussi", (one.message, two.message)
    assert [s.as_dict() for s in two.scenarios] == [s.as_dict() for s in one.scenarios]
    assert [s.feature for s in one.scenarios] == sorted(
        (s.feature for s in one.scenarios), key=features.index)
    assert {s.feature for s in one.scenarios} == set(features) and len(one.scenarios) >= 8


def test_the_merged_scenarios_follow_the_order_of_the_features():
    merged = sandbox.merge([sandbox.SandboxResult("echoue", (KO,)),
                            sandbox.SandboxResult("reussi", (OK,))], ["volontaire", "sessions"])
    assert merged.scenarios == (OK, KO)


def test_sandbox_parts_is_a_positive_setting_defaulting_to_the_cores_at_most_two(tmp_path):
    import os

    import pytest

    from services.settings import SettingsError, load_settings

    env = {"DATABASE_URL": "sqlite:///unused.sqlite", "SECRET_KEY": "test-key-for-settings"}
    assert load_settings(str(tmp_path), env)["SANDBOX_PARTS"] == min(2, os.cpu_count() or 1)
    assert load_settings(str(tmp_path), {**env, "SANDBOX_PARTS": "3"})["SANDBOX_PARTS"] == 3
    for raw in ("0", "-1", "deux"):
        with pytest.raises(SettingsError, match="SANDBOX_PARTS"):
            load_settings(str(tmp_path), {**env, "SANDBOX_PARTS": raw})
