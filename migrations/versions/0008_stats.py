"""statistics indexes: the monthly figures and the open tasks by age read index ranges

Revision ID: stats
Revises: sessions
Create Date: 2026-12-04 12:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'stats'
down_revision = 'incidents'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_type_at', ['type', 'at'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_kind_letter_sent', ['kind', 'letter_sent_on',
                                                            'obligation'], unique=False)
        batch_op.create_index('ix_cases_created_kind', ['created_at', 'kind'], unique=False)
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_state_key_created', ['state', 'key', 'created_at'],
                              unique=False)
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_enrollments_credited_at', ['credited_at'], unique=False)
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_course_sessions_day2', ['day2'], unique=False)


def downgrade():
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_course_sessions_day2')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_credited_at')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_state_key_created')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_created_kind')
        batch_op.drop_index('ix_cases_kind_letter_sent')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_type_at')
