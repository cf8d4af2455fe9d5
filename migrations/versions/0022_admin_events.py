"""admin_events: the journal of the admins' actions no other history holds (users and their API
tokens, clerks' groups and their members, the manual clock, an abandoned send put back): who,
when, what, each change as [before, after]

Revision ID: admin_events
Revises: stat_pending
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'admin_events'
down_revision = 'stat_pending'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'admin_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(80), nullable=False),
        sa.Column('type', sa.String(60), nullable=False),
        sa.Column('subject', sa.String(120), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
    )
    op.create_index('ix_admin_events_at', 'admin_events', ['at'])
    op.create_index('ix_admin_events_type', 'admin_events', ['type'])
    op.create_index('ix_admin_events_subject', 'admin_events', ['subject'])


def downgrade():
    op.drop_index('ix_admin_events_subject', table_name='admin_events')
    op.drop_index('ix_admin_events_type', table_name='admin_events')
    op.drop_index('ix_admin_events_at', table_name='admin_events')
    op.drop_table('admin_events')
