"""Shared fixtures: an application on a fresh database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), migrated with Alembic, on a manual clock."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from app import create_app
from services.db import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
FAST = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # password hashing is not under test


def _reset_schema(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _migrated(database_url):
    app = create_app({"DATABASE_URL": database_url, "CLOCK_MODE": "manual",
                      "SECRET_KEY": "test", "TESTING": True})
    _reset_schema(app)
    return app


@pytest.fixture
def app(_migrated, database_url):
    """A fresh app per test on an emptied database (tables truncated, schema kept)."""
    app = create_app({"DATABASE_URL": database_url, "CLOCK_MODE": "manual",
                      "SECRET_KEY": "test", "TESTING": True, **FAST})
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                conn.execute(text("UPDATE cases SET credited_enrollment_id = NULL"))
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def api(app):
    from tests.helpers import ApiClient

    with app.app_context():
        client = ApiClient(app)
        client.bootstrap()
        yield client
