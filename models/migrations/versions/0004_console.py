"""The console: users who log in, the audit log of replays, the report cards' monthly rollup.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('playbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=400), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_playbacks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_playbacks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbacks'))
    )
    with op.batch_alter_table('playbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playbacks_at'), ['at'], unique=False)
        batch_op.create_index('ix_playbacks_user_id_at', ['user_id', 'at'], unique=False)

    op.create_table('report_months',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('answered_in_time', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('surveys', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('first_answers', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_report_months_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('year', 'month', 'agency_id', name=op.f('pk_report_months'))
    )
    op.create_table('report_refreshes',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_s', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'month', name=op.f('pk_report_refreshes'))
    )


def downgrade() -> None:
    op.drop_table('report_refreshes')
    op.drop_table('report_months')
    with op.batch_alter_table('playbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_playbacks_user_id_at')
        batch_op.drop_index(batch_op.f('ix_playbacks_at'))
    op.drop_table('playbacks')
    op.drop_table('users')
