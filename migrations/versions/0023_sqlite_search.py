"""sqlite_search: trigram full-text indexes for the case search on SQLite (a case's reference,
its holder's licence number and names, searched as « contains »), the SQLite counterpart of
0019_search's pg_trgm indexes: a search of 3 characters or more reads the matching rows, not
every case (400,000 cases: about 590 ms a search before). Two FTS5 tables with the trigram
tokenizer (SQLite 3.34 or later), kept by triggers; PostgreSQL: nothing is done.

Revision ID: sqlite_search
Revises: admin_events
Create Date: 2026-12-06 01:00:00

"""
import logging

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = 'sqlite_search'
down_revision = 'admin_events'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# FTS5 table → (the indexed table, its searched columns); the FTS rowid is the row's id.
# Each FTS table holds its own copy of the text (not `content=`), so that a delete needs only
# the rowid and a row changed outside the triggers cannot corrupt the index.
TABLES = {
    'search_cases': ('cases', ('reference',)),
    'search_licences': ('licences', ('number', 'last_name', 'first_name')),
}


def _has_trigram(bind) -> bool:
    version = tuple(int(n) for n in bind.execute(text("SELECT sqlite_version()")).scalar()
                    .split("."))
    options = set(bind.execute(text("PRAGMA compile_options")).scalars())
    if version >= (3, 34) and "ENABLE_FTS5" in options:
        return True
    log.warning("SQLite %s has no FTS5 trigram tokenizer: the case search reads every case",
                ".".join(map(str, version)))
    return False


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite' or not _has_trigram(bind):
        return
    for fts, (table, columns) in TABLES.items():
        cols = ', '.join(columns)
        new = ', '.join(f'new.{c}' for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, tokenize='trigram')")
        op.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT id, {cols} FROM {table}")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} BEGIN "
                   f"DELETE FROM {fts} WHERE rowid = old.id; "
                   f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.id, {new}); END")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for fts in TABLES:
        for event in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
