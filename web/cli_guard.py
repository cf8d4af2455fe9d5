"""One guard for every `flask` command (ours, Flask's and Flask-Migrate's `db`): a database that
cannot be reached ends with one French sentence naming DATABASE_URL (password masked) and exit
code 1, instead of a long traceback.

Put in one place: the root click context. Every command's exception passes through it, and
click (8.2+) hands it to the context's resources as it closes."""

from __future__ import annotations

from contextlib import contextmanager

import click
from flask import Flask

from services.db import database_failure

_GUARDED = "stages.database_guard"


def guard_cli(app: Flask) -> None:
    """Called by the app factory: when it runs under `flask`, guard the whole command line."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:  # gunicorn, tests: no command line to guard
        return
    root = ctx.find_root()
    if not root.meta.get(_GUARDED):
        root.meta[_GUARDED] = True
        root.with_resource(_database_failures(app.config["SQLALCHEMY_DATABASE_URI"]))


@contextmanager
def _database_failures(url: str):
    try:
        yield
    except Exception as exc:
        message = database_failure(exc, url)
        if message is None:
            raise
        click.echo(f"Erreur : {message}", err=True)
        raise click.exceptions.Exit(1) from None
