"""Workers hardening: who holds an SMS being sent and since when (so a stuck send is settled,
not sent twice), failed work the relay runs again, a clock that could not climb.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('ticket_clocks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stuck_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket_clocks', schema=None) as batch_op:
        batch_op.drop_column('stuck_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('failures')
        batch_op.drop_column('failed_at')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
