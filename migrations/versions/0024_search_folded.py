"""search_folded: a licence's number and holder's names kept folded in one column,
`licences.search_key` (no accents, case folded, blanks collapsed), and the licence search's
indexes on it, so that « Ines » finds « Inès » and « ines petit » finds « PETIT Inès » (a clerks'
QA finding). PostgreSQL: one trigram index on it instead of 0019_search's three on the lower()
of each column; SQLite: the FTS5 table `search_licences` of 0023_sqlite_search holds it instead
of the three columns. Existing rows are filled here; the application fills new ones
(services/text_search.search_key, which `_folded` below copies: a migration must not change
when the application's code does).

Revision ID: search_folded
Revises: sqlite_search
Create Date: 2026-12-06 04:40:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = 'search_folded'
down_revision = 'sqlite_search'
branch_labels = None
depends_on = None

OLD_PG_INDEXES = {
    'ix_licences_number_trgm': 'lower(number)',
    'ix_licences_last_name_trgm': 'lower(last_name)',
    'ix_licences_first_name_trgm': 'lower(first_name)',
}
NEW_PG_INDEX = 'ix_licences_search_key_trgm'
OLD_FTS_COLUMNS = ('number', 'last_name', 'first_name')
_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i",
                       "’": "'", "‘": "'", "ʼ": "'"})
BATCH = 5000


def _folded(value: str) -> str:
    parts = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(c for c in parts if unicodedata.category(c) != "Mn")
    # folded again: a compatibility form may be a capital (« ℠ » is « SM »)
    return " ".join(bare.casefold().translate(_FOLD).split())


def _fill(bind) -> None:
    rows = bind.execute(text("SELECT id, number, last_name, first_name FROM licences")).all()
    update = text("UPDATE licences SET search_key = :key WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        bind.execute(update, [{"id": r.id, "key": _folded(f"{r.number} {r.last_name} "
                                                          f"{r.first_name}")}
                              for r in rows[start:start + BATCH]])


def _pg_has_trigrams(bind) -> bool:
    return bool(bind.execute(text(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar())


def _sqlite_fts(bind) -> bool:
    return bool(bind.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_licences'"))
        .scalar())


def _sqlite_fts_on(columns: tuple) -> None:
    """search_licences on these columns of licences, filled, and its three triggers."""
    cols = ', '.join(columns)
    new = ', '.join(f'new.{c}' for c in columns)
    for event in ('insert', 'delete', 'update'):
        op.execute(f"DROP TRIGGER IF EXISTS search_licences_{event}")
    op.execute("DROP TABLE IF EXISTS search_licences")
    op.execute(f"CREATE VIRTUAL TABLE search_licences USING fts5({cols}, tokenize='trigram')")
    op.execute(f"INSERT INTO search_licences (rowid, {cols}) SELECT id, {cols} FROM licences")
    op.execute(f"CREATE TRIGGER search_licences_insert AFTER INSERT ON licences BEGIN "
               f"INSERT INTO search_licences (rowid, {cols}) VALUES (new.id, {new}); END")
    op.execute("CREATE TRIGGER search_licences_delete AFTER DELETE ON licences BEGIN "
               "DELETE FROM search_licences WHERE rowid = old.id; END")
    op.execute(f"CREATE TRIGGER search_licences_update AFTER UPDATE OF {cols} ON licences "
               f"BEGIN DELETE FROM search_licences WHERE rowid = old.id; "
               f"INSERT INTO search_licences (rowid, {cols}) VALUES (new.id, {new}); END")


def upgrade():
    bind = op.get_bind()
    op.add_column('licences', sa.Column('search_key', sa.Text(), nullable=True))
    _fill(bind)
    if bind.dialect.name == 'postgresql' and _pg_has_trigrams(bind):
        op.execute(f"CREATE INDEX IF NOT EXISTS {NEW_PG_INDEX} ON licences "
                   "USING gin (search_key gin_trgm_ops)")
        for name in OLD_PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif bind.dialect.name == 'sqlite' and _sqlite_fts(bind):
        _sqlite_fts_on(('search_key',))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and _pg_has_trigrams(bind):
        for name, expression in OLD_PG_INDEXES.items():
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON licences "
                       f"USING gin (({expression}) gin_trgm_ops)")
        op.execute(f"DROP INDEX IF EXISTS {NEW_PG_INDEX}")
    elif bind.dialect.name == 'sqlite' and _sqlite_fts(bind):
        _sqlite_fts_on(OLD_FTS_COLUMNS)
    op.drop_column('licences', 'search_key')
