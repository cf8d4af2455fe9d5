"""rate_counters: the rate limiter's fixed windows (failed logins per username and per address,
a centre's refused enrolments) in the application's database, shared by every web process and
kept across restarts (services/rate_counters.py); before, each gunicorn worker counted in its
own memory unless RATELIMIT_STORAGE_URI named a Redis.

Revision ID: rate_counters
Revises: search_folded
Create Date: 2026-12-06 08:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'rate_counters'
down_revision = 'search_folded'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counters')),
    )
    op.create_index(op.f('ix_rate_counters_expires_ms'), 'rate_counters', ['expires_ms'])


def downgrade():
    op.drop_index(op.f('ix_rate_counters_expires_ms'), table_name='rate_counters')
    op.drop_table('rate_counters')
