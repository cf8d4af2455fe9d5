"""The outbox's settings (issue 15): the notification channel and the SMTP server, from the
environment; a bad one stops start-up, named."""

from __future__ import annotations

import pytest

from services.settings import SettingsError, load_settings

ENV = {"DATABASE_URL": "sqlite:///unused.sqlite", "SECRET_KEY": "une-cle-de-test"}


def test_defaults(tmp_path):
    config = load_settings(str(tmp_path), ENV)
    assert (config["NOTIFICATION_CHANNEL"], config["SMTP_HOST"], config["SMTP_PORT"],
            config["SMTP_STARTTLS"], config["SMTP_USER"]) == ("email", "localhost", 25, False, "")


def test_from_the_environment(tmp_path):
    config = load_settings(str(tmp_path), {
        **ENV, "NOTIFICATION_CHANNEL": "journal", "SMTP_HOST": "smtp.interne", "SMTP_PORT": "587",
        "SMTP_STARTTLS": "true", "SMTP_FROM": "stages@prefecture.gouv.fr", "SMTP_TIMEOUT": "3"})
    assert (config["NOTIFICATION_CHANNEL"], config["SMTP_HOST"], config["SMTP_PORT"],
            config["SMTP_STARTTLS"], config["SMTP_FROM"], config["SMTP_TIMEOUT"]) == (
        "journal", "smtp.interne", 587, True, "stages@prefecture.gouv.fr", 3.0)


@pytest.mark.parametrize(("name", "value"), [("NOTIFICATION_CHANNEL", "pigeon"),
                                             ("SMTP_PORT", "vingt-cinq"),
                                             ("SMTP_STARTTLS", "peut-être")])
def test_a_bad_value_stops_start_up_named(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings(str(tmp_path), {**ENV, name: value})
