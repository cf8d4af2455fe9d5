"""manual review choices: the obligation and the refund decided apart from the points (issue 16)

Revision ID: review_choices
Revises: stats
Create Date: 2026-12-04 13:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'review_choices'
down_revision = 'stats'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_obligation', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('review_refund', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('review_refund')
        batch_op.drop_column('review_obligation')
