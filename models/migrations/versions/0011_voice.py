"""Voice: a call keeps the caller's menu choices beside its take, so the hangup handler can
open the ticket if the engine died before the caller submitted.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('category_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('province_code', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('province_code')
        batch_op.drop_column('category_code')
        batch_op.drop_column('sector_code')
