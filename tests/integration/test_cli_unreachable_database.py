"""Every command of `flask` on a database it cannot reach: one French sentence naming
DATABASE_URL (its password masked) and what failed, exit code 1, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup

from app import create_app
from services.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "postgresql+psycopg://qa:motdepasse@127.0.0.1:1/x"  # nothing listens on port 1
SHOWN = "DATABASE_URL=postgresql+psycopg://qa:***@127.0.0.1:1/x"
NO_DIR = "sqlite:////nonexistent/dir/x.sqlite"


def _flask(url: str, *args: str):
    """`flask ARGS` as its entry point runs it: the app is built inside the command line."""
    cli = FlaskGroup(create_app=lambda: create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}),
                     load_dotenv=False)
    return CliRunner().invoke(cli, list(args), input="secret\n")


@pytest.mark.parametrize("args", [
    ("timers", "run"), ("db", "upgrade"), ("users", "create", "qa", "--role", "agent",
                                           "--password-stdin"),
    ("users", "token", "qa"), ("stats", "rebuild")])
def test_a_refused_connection_is_one_french_sentence_for_every_command(args):
    result = _flask(REFUSED, *args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Erreur : base de données inaccessible")
    assert SHOWN in result.output and "connexion impossible" in result.output
    assert "motdepasse" not in result.output
    assert len(result.output.splitlines()) == 1  # no traceback


@pytest.mark.parametrize("args", [("timers", "run"), ("db", "upgrade")])
def test_a_sqlite_file_in_a_missing_folder_is_named(args):
    result = _flask(NO_DIR, *args)
    assert result.exit_code == 1, result.output
    assert f"DATABASE_URL={NO_DIR}" in result.output
    assert "unable to open database file" in result.output
    assert len(result.output.splitlines()) == 1


def test_the_real_flask_entry_point_says_it_too():
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": REFUSED, "SECRET_KEY": "test"}
    done = subprocess.run([str(Path(sys.executable).with_name("flask")), "timers", "run"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]  # one line, no traceback
    assert SHOWN in done.stderr and "motdepasse" not in done.stderr


@pytest.mark.parametrize("url", ["postgresql+psycopg://qa:motdepasse@h:abc/x",
                                 "postgresql+nodriver://qa@h/x"])
def test_an_unreadable_database_url_stops_start_up_named(tmp_path, url):
    with pytest.raises(SettingsError, match="DATABASE_URL") as raised:
        load_settings(str(tmp_path), env={"DATABASE_URL": url, "SECRET_KEY": "test"})
    assert "motdepasse" not in str(raised.value)
