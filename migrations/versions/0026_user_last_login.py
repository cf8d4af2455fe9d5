"""users.last_login_at: when each user last logged in through the pages, for the admins' list of
users (web/ui/user_pages.py); a login session's own row is deleted at logout, so it could not
tell. Unknown (NULL) for the logins before this migration.

Revision ID: user_last_login
Revises: rate_counters
Create Date: 2026-12-08 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'user_last_login'
down_revision = 'rate_counters'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('last_login_at')
