"""Calls that never became tickets, found and replayed: indexes for the console's calls list,
and the replay audit log names the call (the ticket is optional).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_started_at', ['started_at'], unique=False)
        batch_op.create_index('ix_calls_caller_started_at', ['caller', 'started_at'], unique=False)
    with op.batch_alter_table('playbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.alter_column('ticket_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_playbacks_call_id_calls'), 'calls', ['call_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    # Replays of calls without a ticket cannot be kept in the older table.
    op.execute("DELETE FROM playbacks WHERE ticket_id IS NULL")
    with op.batch_alter_table('playbacks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_playbacks_call_id_calls'), type_='foreignkey')
        batch_op.alter_column('ticket_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('call_id')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_caller_started_at')
        batch_op.drop_index('ix_calls_started_at')
