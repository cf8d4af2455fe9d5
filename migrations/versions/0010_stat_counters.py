"""statistics roll-up counters: monthly figures and the heatmap's steps, kept by the commands

Revision ID: stat_counters
Revises: review_choices
Create Date: 2026-12-04 15:00:00

The tables start empty: `flask stats rebuild` fills them from the cases once after the upgrade.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'stat_counters'
down_revision = 'review_choices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stat_counters',
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('figure', sa.String(length=120), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('centre_id', 'month', 'figure', name=op.f('pk_stat_counters')))
    op.create_table(
        'stat_steps',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('element', sa.String(length=80), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['process_versions.id'],
                                name=op.f('fk_stat_steps_version_id_process_versions')),
        sa.PrimaryKeyConstraint('version_id', 'kind', 'element', 'day', name=op.f('pk_stat_steps')))


def downgrade():
    op.drop_table('stat_steps')
    op.drop_table('stat_counters')
