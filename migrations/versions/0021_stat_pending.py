"""stat_pending: the statistics' counters caught up after the commands (issue 17): a command
marks the cases whose figures it changed (`stat_case_parts.pending`), and the worker or the next
read of the statistics adds each marked case's difference against what it last added
(`stat_case_parts.parts`)

Revision ID: stat_pending
Revises: centre_events
Create Date: 2026-12-05 09:30:00

The table starts empty: no case has been caught up yet, so the first command that changes a
case reads its contribution first (as every command did before), and the counters as they stand
stay right without a rebuild. Going down loses the marks not caught up yet: run `flask stats
rebuild` after a downgrade.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'stat_pending'
down_revision = 'centre_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stat_case_parts',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), primary_key=True),
        sa.Column('parts', sa.JSON(), nullable=True),
        sa.Column('pending', sa.BigInteger(), nullable=True),
    )
    op.create_index('ix_stat_case_parts_pending', 'stat_case_parts', ['pending'],
                    postgresql_where=sa.text('pending IS NOT NULL'),
                    sqlite_where=sa.text('pending IS NOT NULL'))


def downgrade():
    op.drop_index('ix_stat_case_parts_pending', table_name='stat_case_parts')
    op.drop_table('stat_case_parts')
