"""actions: the outbox of the catalogue's jobs (emails to a centre) and a centre's email
address (issue 15)

Revision ID: actions
Revises: bundle
Create Date: 2026-12-04 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'actions'
down_revision = 'letters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('channel', sa.String(20), nullable=False),
        sa.Column('key', sa.String(200), nullable=False, unique=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('action', sa.String(60), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_outbox_jobs_case_id', 'outbox_jobs', ['case_id'])
    op.create_index('ix_outbox_jobs_status_next', 'outbox_jobs', ['status', 'next_attempt_at'])
    with op.batch_alter_table('centres') as batch:
        batch.add_column(sa.Column('email', sa.String(254), nullable=True))


def downgrade():
    with op.batch_alter_table('centres') as batch:
        batch.drop_column('email')
    op.drop_index('ix_outbox_jobs_status_next', table_name='outbox_jobs')
    op.drop_index('ix_outbox_jobs_case_id', table_name='outbox_jobs')
    op.drop_table('outbox_jobs')
