"""Settings read from the environment: the UI's session cookie flags, the secret key (no
default: the environment or the instance folder's secret_key file), the login limits' store."""

from __future__ import annotations

import datetime as dt

import pytest

from services.settings import SettingsError, load_settings

ENV = {"DATABASE_URL": "sqlite:///unused.sqlite", "SECRET_KEY": "une-cle-de-test"}
NO_KEY = {"DATABASE_URL": "sqlite:///unused.sqlite"}


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


def test_without_a_secret_key_start_up_stops_named(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY : absente .*secret_key"):
        load_settings(str(tmp_path), NO_KEY)
    with pytest.raises(SettingsError, match="SECRET_KEY : absente"):
        load_settings(str(tmp_path), {**NO_KEY, "SECRET_KEY": "  "})
    (tmp_path / "secret_key").write_text("\n")  # an empty file is no key either
    with pytest.raises(SettingsError, match="SECRET_KEY : absente"):
        load_settings(str(tmp_path), NO_KEY)


def test_the_instance_secret_key_file_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / "secret_key").write_text("cle-du-fichier\n")
    assert load_settings(str(tmp_path), NO_KEY)["SECRET_KEY"] == "cle-du-fichier"
    assert load_settings(str(tmp_path), ENV)["SECRET_KEY"] == "une-cle-de-test"


def test_the_old_public_default_key_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY : la valeur de SECRET_KEY est publique"):
        load_settings(str(tmp_path), {**NO_KEY, "SECRET_KEY": "dev-only-secret-change-me"})
    (tmp_path / "secret_key").write_text("dev-only-secret-change-me")
    with pytest.raises(SettingsError, match="est publique"):
        load_settings(str(tmp_path), NO_KEY)


def test_session_lifetimes_and_login_limits(tmp_path):
    config = load_settings(str(tmp_path), ENV)
    assert config["SESSION_IDLE_TIMEOUT"] == dt.timedelta(hours=8)
    assert config["SESSION_ABSOLUTE_LIFETIME"] == dt.timedelta(hours=12)
    # the counters are shared by every web process, in the application's database
    assert config["RATELIMIT_STORAGE_URI"] == "database://"
    assert config["PROXY_FIX_X_FOR"] == 0
    config = load_settings(str(tmp_path), {**ENV, "RATELIMIT_STORAGE_URI": "redis://cache:6379",
                                           "PROXY_FIX_X_FOR": "1"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379"
    assert config["PROXY_FIX_X_FOR"] == 1


@pytest.mark.parametrize("raw", ["-1", "un"])
def test_an_invalid_proxy_count_stops_start_up_named(tmp_path, raw):
    with pytest.raises(SettingsError, match=f"PROXY_FIX_X_FOR : .*« {raw} »"):
        load_settings(str(tmp_path), {**ENV, "PROXY_FIX_X_FOR": raw})
