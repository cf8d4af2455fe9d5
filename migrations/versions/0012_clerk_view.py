"""clerk view from the diagram: a case's status label, a task's reminders (issue 14)

Revision ID: clerk_view
Revises: task_counters
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'clerk_view'
down_revision = 'task_counters'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('status_label', sa.String(length=120), nullable=True))
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('reminders', sa.Integer(), server_default='0',
                                   nullable=False))
        batch.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('reminded_at')
        batch.drop_column('reminders')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('status_label')
