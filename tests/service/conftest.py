"""Service-level fixtures: one application for the whole run and, per test, a database that
already holds what every journey starts from (tests/service/world.py's bootstrap).

SQLite: the migrated and bootstrapped database is made once, as a template file, and copied
over the test's file before each test (a copy of a few hundred kilobytes, instead of a new app,
emptied tables and a bootstrap). PostgreSQL: the tables are truncated and the bootstrap is run
again (the schema comes from tests/conftest.py's `_migrated`)."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import event, select, text

from app import create_app
from services.db import db
from services.models import ProcessVersion
from tests.conftest import FAST, TEST_DATABASE_URL
from tests.service.world import World, bootstrap

CONFIG = {"CLOCK_MODE": "manual", "SECRET_KEY": "test", "TESTING": True, **FAST}


def _sqlite_files(path: str) -> list[str]:
    return [path + suffix for suffix in ("-wal", "-shm", "-journal")]


def _no_fsync(dbapi_connection, _record) -> None:
    """A test database is thrown away: no fsync at each commit (durability is not under test;
    the commits themselves, and what they make visible, are)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class _SqliteTemplate:
    def __init__(self, folder):
        self.path = str(folder / "world.sqlite")
        self.template = str(folder / "template.sqlite")
        self.url = f"sqlite:///{self.path}"

    def build(self, app) -> None:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
            bootstrap()
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.engine.dispose()
        shutil.copyfile(self.path, self.template)

    def reset(self, app) -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # every connection closed: the file can be replaced
        for extra in _sqlite_files(self.path):
            if os.path.exists(extra):
                os.remove(extra)
        shutil.copyfile(self.template, self.path)


class _PostgresReset:
    url = TEST_DATABASE_URL

    def build(self, app) -> None:
        pass  # the schema: tests/conftest.py's _migrated

    def reset(self, app) -> None:
        with app.app_context():
            db.session.remove()
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            bootstrap()


@pytest.fixture(scope="session")
def _service_db(request, tmp_path_factory):
    if TEST_DATABASE_URL:
        request.getfixturevalue("_migrated")
        store = _PostgresReset()
    else:
        store = _SqliteTemplate(tmp_path_factory.mktemp("service"))
    app = create_app({"DATABASE_URL": store.url, **CONFIG})
    if not TEST_DATABASE_URL:
        with app.app_context():
            event.listen(db.engine, "connect", _no_fsync)
    store.build(app)
    return app, store


@pytest.fixture
def service_app(_service_db):
    """The run's application, on a database as the bootstrap left it, its context pushed."""
    app, store = _service_db
    store.reset(app)
    app.extensions.pop("statistics_cache", None)
    with app.app_context():
        _forget_versions_not_in_the_database(app)
        yield app
        db.session.remove()


def _forget_versions_not_in_the_database(app) -> None:
    """The engine parses each process version once, by id, and refuses an id whose content
    changed. The bootstrap always gives the same ids to the same files; a version an earlier
    test deployed has an id that this test may give to another content: forget it."""
    engine = app.extensions["process_engine"]
    ids = set(db.session.scalars(select(ProcessVersion.id)))
    db.session.remove()
    with engine._lock:
        for key in [k for k in engine._cache if k[0] not in ids]:
            del engine._cache[key]


@pytest.fixture
def world(service_app):
    return World()
