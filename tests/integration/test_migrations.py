"""The Alembic migrations create exactly the schema the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.db import db

# PostgreSQL's trigram indexes of the case search (migration 0019_search): an operator class of
# an extension, which the models cannot declare for SQLite; checked apart below
SEARCH_INDEXES = {"ix_cases_reference_trgm", "ix_licences_number_trgm",
                  "ix_licences_last_name_trgm", "ix_licences_first_name_trgm"}


def _not_search_index(obj, name, type_, reflected, compare_to):
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
    if dialect == "postgresql":
        assert SEARCH_INDEXES <= found
    else:  # SQLite has no trigram index: the migration adds none there
        assert not SEARCH_INDEXES & found
