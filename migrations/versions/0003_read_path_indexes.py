"""task list indexes: open tasks by due date (undated last), by key, by creation

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_open_due',
                              ['state', sa.text('(due_on IS NULL)'), 'due_on', 'id'],
                              unique=False)
        batch_op.create_index('ix_human_tasks_key_due',
                              ['state', 'key', sa.text('(due_on IS NULL)'), 'due_on', 'id'],
                              unique=False)
        batch_op.create_index('ix_human_tasks_open_created', ['state', 'created_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_open_created')
        batch_op.drop_index('ix_human_tasks_key_due')
        batch_op.drop_index('ix_human_tasks_open_due')
