"""search: trigram indexes for the case search on PostgreSQL (a case's reference, its holder's
licence number and names, searched as « contains »), so that a search reads the matching rows,
not every case (issue 17, a clerks' day). SQLite has no trigram index: nothing is done there.

Revision ID: search
Revises: letter_pdf
Create Date: 2026-12-05 02:10:00

"""
import logging

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = 'search'
down_revision = 'letter_pdf'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# expression indexes: the search compares lower(column) LIKE '%…%' (services/cases.py)
INDEXES = {
    'ix_cases_reference_trgm': ('cases', 'lower(reference)'),
    'ix_licences_number_trgm': ('licences', 'lower(number)'),
    'ix_licences_last_name_trgm': ('licences', 'lower(last_name)'),
    'ix_licences_first_name_trgm': ('licences', 'lower(first_name)'),
}


def _has_trigrams(bind) -> bool:
    available = bind.execute(text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        log.warning("pg_trgm is not available: the case search reads every case")
        return False
    try:
        with bind.begin_nested():  # a role that may not create it leaves the migration whole
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception as exc:  # noqa: BLE001 - the search works without it, only slower
        log.warning("pg_trgm could not be created (%s): the case search reads every case", exc)
        return False
    return True


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql' or not _has_trigrams(bind):
        return
    for name, (table, expression) in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                   f"USING gin (({expression}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
