"""groups: clerks' groups named by BPMN lanes, their members, and the group of each task
(issue 14, lanes are clerk groups)

Revision ID: groups
Revises: clerk_view
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'groups'
down_revision = 'clerk_view'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
        sa.UniqueConstraint('code', name=op.f('uq_groups_code')),
    )
    op.create_table(
        'user_groups',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE',
                                name=op.f('fk_user_groups_group_id_groups')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_user_groups_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'group_id', name=op.f('pk_user_groups')),
    )
    op.create_index(op.f('ix_user_groups_group_id'), 'user_groups', ['group_id'], unique=False)
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_code', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_human_tasks_group_due',
                              ['state', 'group_code', sa.text('(due_on IS NULL)'), 'due_on',
                               'id'], unique=False)


def downgrade():
    # an index on an expression: SQLite's batch mode does not reflect it, so it is dropped alone
    op.drop_index('ix_human_tasks_group_due', table_name='human_tasks')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_column('group_code')
    op.drop_index(op.f('ix_user_groups_group_id'), table_name='user_groups')
    op.drop_table('user_groups')
    op.drop_table('groups')
