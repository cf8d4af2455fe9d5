"""The Alembic migrations create exactly the schema the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.db import db

# PostgreSQL's trigram indexes of the case search (migrations 0019_search, 0024_search_folded):
# an operator class of an extension, which the models cannot declare for SQLite; checked apart
# below
SEARCH_INDEXES = {"ix_cases_reference_trgm", "ix_licences_search_key_trgm"}


# SQLite's FTS5 tables of the case search (migration 0023_sqlite_search) and their shadow
# tables: virtual tables, which the models cannot declare
SEARCH_TABLES = ("search_cases", "search_licences")


def _not_search_index(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name.startswith(SEARCH_TABLES):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_search_index})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_the_case_search_has_its_trigram_indexes_on_postgresql(app):
    with app.app_context(), db.engine.connect() as conn:
        inspector = inspect(conn)
        found = {i["name"] for table in ("cases", "licences")
                 for i in inspector.get_indexes(table)}
        dialect = conn.dialect.name
        fts_tables = {name for name in SEARCH_TABLES if inspector.has_table(name)}
    if dialect == "postgresql":
        assert SEARCH_INDEXES <= found
    else:  # SQLite has no trigram index: FTS5 tables instead (0023_sqlite_search)
        assert not SEARCH_INDEXES & found
        assert fts_tables == set(SEARCH_TABLES)
