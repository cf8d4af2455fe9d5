"""Settings read from the environment: the UI's session cookie flags."""

from __future__ import annotations

import datetime as dt

import pytest

from services.settings import SettingsError, load_settings

ENV = {"DATABASE_URL": "sqlite:///unused.sqlite"}


def test_the_session_cookie_lasts_8_hours_httponly_lax_and_not_secure_by_default(tmp_path):
    config = load_settings(str(tmp_path), ENV)
    assert config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=8)
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), (" ON ", True),
                                               ("false", False), ("0", False), ("", False)])
def test_session_cookie_secure_from_the_environment(tmp_path, raw, expected):
    config = load_settings(str(tmp_path), {**ENV, "SESSION_COOKIE_SECURE": raw})
    assert config["SESSION_COOKIE_SECURE"] is expected
    # an override given as text (as the tests pass settings) is read the same way
    config = load_settings(str(tmp_path), ENV, {"SESSION_COOKIE_SECURE": raw})
    assert config["SESSION_COOKIE_SECURE"] is expected


def test_an_invalid_session_cookie_secure_stops_start_up_named(tmp_path):
    with pytest.raises(SettingsError,
                       match="SESSION_COOKIE_SECURE : valeur invalide « peut-être »"):
        load_settings(str(tmp_path), {**ENV, "SESSION_COOKIE_SECURE": "peut-être"})
