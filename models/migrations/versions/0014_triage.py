"""Triage: agencies get the other names citizens write for them (aliases) and the moment
their row last changed, so the triage index knows when to reload the directory.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
        batch_op.drop_column('aliases')
