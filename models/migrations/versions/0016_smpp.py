"""The SMPP link: its journal of submitted parts, and parts of long inbound texts.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'smpp_submits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=False),
        sa.Column('attempt', sa.String(length=32), nullable=False),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('parts', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('body_digest', sa.String(length=64), nullable=False),
        sa.Column('head', sa.String(length=20), nullable=False),
        sa.Column('smsc_id', sa.String(length=65), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('error_code', sa.String(length=20), nullable=True),
        sa.Column('receipt', sa.String(length=20), nullable=True),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_smpp_submits')),
        sa.UniqueConstraint('smsc_id', name=op.f('uq_smpp_submits_smsc_id')),
    )
    op.create_index('ix_smpp_submits_number_written_at', 'smpp_submits', ['number', 'written_at'])
    op.create_index(op.f('ix_smpp_submits_ref'), 'smpp_submits', ['ref'])
    op.create_table(
        'smpp_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=64), nullable=False),
        sa.Column('identity', sa.String(length=64), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('service_number', sa.String(length=20), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_smpp_parts')),
        sa.UniqueConstraint('identity', name=op.f('uq_smpp_parts_identity')),
    )
    op.create_index(op.f('ix_smpp_parts_series'), 'smpp_parts', ['series'])
    op.create_index(op.f('ix_smpp_parts_received_at'), 'smpp_parts', ['received_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_smpp_parts_received_at'), table_name='smpp_parts')
    op.drop_index(op.f('ix_smpp_parts_series'), table_name='smpp_parts')
    op.drop_table('smpp_parts')
    op.drop_index(op.f('ix_smpp_submits_ref'), table_name='smpp_submits')
    op.drop_index('ix_smpp_submits_number_written_at', table_name='smpp_submits')
    op.drop_table('smpp_submits')
