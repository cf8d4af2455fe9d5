"""task counters: the task lists' totals and the dashboard's counters at a constant cost
(issue 17)

Revision ID: task_counters
Revises: stat_counters
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'task_counters'
down_revision = 'stat_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_counters',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('assignee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'assignee_id', 'state', name=op.f('pk_task_counters')),
    )
    # the counts of the rows there are (services/task_counters.py keeps them from now on)
    op.execute("INSERT INTO task_counters (key, assignee_id, state, n) "
               "SELECT key, COALESCE(assignee_id, 0), state, COUNT(*) FROM human_tasks "
               "GROUP BY key, COALESCE(assignee_id, 0), state")


def downgrade():
    op.drop_table('task_counters')
