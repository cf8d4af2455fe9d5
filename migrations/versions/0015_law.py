"""law: a recomputed outcome is first a proposal a clerk accepts or dismisses (issue 16)

Revision ID: law
Revises: bundle
Create Date: 2026-12-04 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'law'
down_revision = 'bundle'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('proposed_by', sa.String(length=80), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=80), nullable=True),
        sa.Column('decision_motif', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_case_proposals_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_proposals')),
    )
    op.create_index(op.f('ix_case_proposals_case_id'), 'case_proposals', ['case_id'])
    op.create_index(op.f('ix_case_proposals_state'), 'case_proposals', ['state'])


def downgrade():
    op.drop_index(op.f('ix_case_proposals_state'), table_name='case_proposals')
    op.drop_index(op.f('ix_case_proposals_case_id'), table_name='case_proposals')
    op.drop_table('case_proposals')
