"""letters: the PDF letters made for a case, immutable, with the template, the version and
bundle checksum, the data they were made from and their SHA-256 (issue 15 item 3)

Revision ID: letters
Revises: bundle
Create Date: 2026-12-04 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'letters'
down_revision = 'law'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.String(length=120), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('bundle_checksum', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_letter_case_id_cases')),
    sa.ForeignKeyConstraint(['version_id'], ['process_versions.id'],
                            name=op.f('fk_letter_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter'))
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_case_id'))
    op.drop_table('letter')
