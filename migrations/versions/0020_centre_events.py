"""centre_events: the history of an approved centre's record (created, its agrément renewed, its
name, département or email changed): who did what, when, each change as [before, after]

Revision ID: centre_events
Revises: search
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'centre_events'
down_revision = 'search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'centre_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('centre_id', sa.Integer(), sa.ForeignKey('centres.id'), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(80), nullable=False),
        sa.Column('type', sa.String(60), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
    )
    op.create_index('ix_centre_events_centre_id', 'centre_events', ['centre_id'])


def downgrade():
    op.drop_index('ix_centre_events_centre_id', table_name='centre_events')
    op.drop_table('centre_events')
