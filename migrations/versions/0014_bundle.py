"""bundle: a process version (and a draft) carries the files of its bundle other than the BPMN
(its form-js forms, `forms/<id>.form`) as a JSON object {path: text} (issue 14)

Revision ID: bundle
Revises: groups
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'bundle'
down_revision = 'groups'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('process_versions', 'process_drafts'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('files', sa.JSON(), nullable=False,
                                       server_default=sa.text("'{}'")))


def downgrade():
    for table in ('process_versions', 'process_drafts'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('files')
