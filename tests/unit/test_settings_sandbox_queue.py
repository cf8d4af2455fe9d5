"""SANDBOX_MAX_QUEUE, the bound of the API's scenario test queue: from the environment,
10 by default, a bad value stops start-up naming it."""

from __future__ import annotations

import pytest

from services.settings import SettingsError, load_settings

ENV = {"DATABASE_URL": "sqlite:///unused.sqlite", "SECRET_KEY": "test-key-for-settings"}


def test_the_queue_holds_10_runs_by_default_and_is_set_from_the_environment(tmp_path):
    assert load_settings(str(tmp_path), ENV)["SANDBOX_MAX_QUEUE"] == 10
    assert load_settings(str(tmp_path), {**ENV, "SANDBOX_MAX_QUEUE": "3"})["SANDBOX_MAX_QUEUE"] == 3


@pytest.mark.parametrize("raw", ["0", "-1", "beaucoup"])
def test_a_bad_queue_bound_stops_start_up_named(tmp_path, raw):
    with pytest.raises(SettingsError, match="SANDBOX_MAX_QUEUE"):
        load_settings(str(tmp_path), {**ENV, "SANDBOX_MAX_QUEUE": raw})
