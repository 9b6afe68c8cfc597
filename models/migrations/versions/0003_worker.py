"""Workers: each ticket's running clock, and the holidays the business-hours clock skips.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holidays'))
    )
    op.create_table('ticket_clocks',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_clocks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_clocks'))
    )
    with op.batch_alter_table('ticket_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_clocks_next_at'), ['next_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_clocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_clocks_next_at'))

    op.drop_table('ticket_clocks')
    op.drop_table('holidays')
