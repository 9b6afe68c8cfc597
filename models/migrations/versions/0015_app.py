"""The app channel: API keys of Open311 apps, what each app request carried beyond the
complaint, and the one-time codes that confirm a number typed on the web page.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('hint', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
        sa.UniqueConstraint('digest', name=op.f('uq_api_keys_digest')),
        sa.UniqueConstraint('name', name=op.f('uq_api_keys_name')),
    )
    op.create_table(
        'app_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('service_code', sa.String(length=90), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('long', sa.Float(), nullable=True),
        sa.Column('address_string', sa.Text(), nullable=True),
        sa.Column('address_id', sa.String(length=120), nullable=True),
        sa.Column('first_name', sa.String(length=120), nullable=True),
        sa.Column('last_name', sa.String(length=120), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('device_id', sa.String(length=120), nullable=True),
        sa.Column('account_id', sa.String(length=120), nullable=True),
        sa.Column('attributes', sa.JSON(), nullable=False),
        sa.Column('media_url', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_app_requests_api_key_id_api_keys')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_app_requests_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_requests')),
        sa.UniqueConstraint('ticket_id', name=op.f('uq_app_requests_ticket_id')),
        sa.UniqueConstraint('api_key_id', 'fingerprint', name=op.f('uq_app_requests_api_key_id')),
    )
    op.create_index(op.f('ix_app_requests_api_key_id'), 'app_requests', ['api_key_id'], unique=False)
    op.create_table(
        'phone_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=43), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('draft', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_phone_checks_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_checks')),
        sa.UniqueConstraint('token', name=op.f('uq_phone_checks_token')),
    )
    op.create_index('ix_phone_checks_address_created_at', 'phone_checks', ['address', 'created_at'], unique=False)
    op.create_index('ix_phone_checks_number_created_at', 'phone_checks', ['number', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_phone_checks_number_created_at', table_name='phone_checks')
    op.drop_index('ix_phone_checks_address_created_at', table_name='phone_checks')
    op.drop_table('phone_checks')
    op.drop_index(op.f('ix_app_requests_api_key_id'), table_name='app_requests')
    op.drop_table('app_requests')
    op.drop_table('api_keys')
