"""Triage's state per ticket: the question open to a texter (its service or province), when the
questions went out (routing waits for the answer from then), when routing stopped waiting, and
the fields the channel, the citizen or a dispatcher fixed.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_triage',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('fixed', sa.String(length=80), nullable=False),
    sa.Column('asking', sa.String(length=20), nullable=True),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gave_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_triage_ticket_id_tickets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_triage'))
    )
    op.create_index('ix_ticket_triage_open', 'ticket_triage', ['asked_at'], unique=False,
                    postgresql_where=sa.text('asking IS NOT NULL'), sqlite_where=sa.text('asking IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_ticket_triage_open', table_name='ticket_triage')
    op.drop_table('ticket_triage')
