"""letter_pdf: a letter's text is fixed by its command (`html`), its PDF laid out afterwards by
the outbox worker or at its first download (`pdf`, `sha256` and `pdf_made_at` filled once)
(issue 17: WeasyPrint out of the clerks' commands)

Revision ID: letter_pdf
Revises: actions
Create Date: 2026-12-05 01:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'letter_pdf'
down_revision = 'actions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pdf_made_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)
    # letters made before this revision were laid out by their command
    op.execute("UPDATE letter SET pdf_made_at = created_at WHERE pdf IS NOT NULL")


def downgrade():
    # a letter not laid out yet cannot go back to a schema where every letter has its PDF
    op.execute("DELETE FROM letter WHERE pdf IS NULL")
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('pdf_made_at')
        batch_op.drop_column('html')
