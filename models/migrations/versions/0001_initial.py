"""The initial schema, with the sectors and complaint categories as reference data.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 13:46:41.198074
"""

from alembic import op
import sqlalchemy as sa

from models.agencies import SECTORS
from models.categories import CATEGORIES


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blocked_numbers',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('blocked_by', sa.String(length=80), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_blocked_numbers'))
    )
    op.create_table('categories',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label_fa', sa.String(length=120), nullable=False),
    sa.Column('label_en', sa.String(length=120), nullable=False),
    sa.Column('menu_key', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_categories')),
    sa.UniqueConstraint('menu_key', name=op.f('uq_categories_menu_key'))
    )
    op.create_table('opt_outs',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_opt_outs'))
    )
    op.create_table('sectors',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_fa', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('menu_key', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sectors')),
    sa.UniqueConstraint('menu_key', name=op.f('uq_sectors_menu_key'))
    )
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('sector_code', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('province_code', sa.String(length=40), nullable=True),
    sa.Column('county', sa.String(length=80), nullable=True),
    sa.Column('name_fa', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], name=op.f('fk_agencies_parent_id_agencies')),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_agencies_sector_code_sectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_sector_code'), ['sector_code'], unique=False)

    op.create_table('officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_officials_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officials')),
    sa.UniqueConstraint('agency_id', 'mobile', name=op.f('uq_officials_agency_id'))
    )
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officials_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officials_mobile'), ['mobile'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('caller', sa.String(length=20), nullable=True),
    sa.Column('caller_kind', sa.String(length=20), nullable=False),
    sa.Column('caller_country', sa.String(length=2), nullable=True),
    sa.Column('province_code', sa.String(length=40), nullable=True),
    sa.Column('county', sa.String(length=80), nullable=True),
    sa.Column('sector_code', sa.String(length=40), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('voice_path', sa.String(length=400), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_text', sa.Text(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_step_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_tickets_agency_id_agencies')),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_tickets_category_code_categories')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['tickets.id'], name=op.f('fk_tickets_duplicate_of_id_tickets')),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_tickets_official_id_officials')),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_tickets_sector_code_sectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('code', name=op.f('uq_tickets_code'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_tickets_caller_registered_at', ['caller', 'registered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_province_code'), ['province_code'], unique=False)
        batch_op.create_index('ix_tickets_status_due_at', ['status', 'due_at'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uniqueid', sa.String(length=64), nullable=False),
    sa.Column('linkedid', sa.String(length=64), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('line', sa.String(length=20), nullable=False),
    sa.Column('caller', sa.String(length=20), nullable=True),
    sa.Column('dnid', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('progress', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('recording_path', sa.String(length=400), nullable=True),
    sa.Column('hangup_cause', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_calls_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('uniqueid', name=op.f('uq_calls_uniqueid'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('service_number', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error_code', sa.String(length=20), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_messages_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_messages_provider_id'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_direction_status', ['direction', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['created_at'], unique=False,
                              postgresql_where=sa.text('done_at IS NULL'),
                              sqlite_where=sa.text('done_at IS NULL'))

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_media_message_id_messages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_media_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media'))
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_survey_answers_score_range')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_survey_answers_message_id_messages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_survey_answers_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_survey_answers_ticket_id'))
    )
    _seed()


def _seed() -> None:
    """The reference data every install needs: sectors and complaint categories."""
    sectors = sa.table("sectors", sa.column("code"), sa.column("name_fa"), sa.column("name_en"),
                       sa.column("menu_key"))
    op.bulk_insert(sectors, [dict(zip(("code", "name_fa", "name_en", "menu_key"), row))
                             for row in SECTORS])
    categories = sa.table("categories", sa.column("code"), sa.column("label_fa"),
                          sa.column("label_en"), sa.column("menu_key"))
    op.bulk_insert(categories, [dict(zip(("code", "label_fa", "label_en", "menu_key"), row))
                                for row in CATEGORIES])


def downgrade() -> None:
    op.drop_table('survey_answers')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_ticket_id'))

    op.drop_table('media')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_messages_number'))
        batch_op.drop_index('ix_messages_direction_status')

    op.drop_table('messages')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_ticket_id'))

    op.drop_table('calls')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_due_at')
        batch_op.drop_index(batch_op.f('ix_tickets_province_code'))
        batch_op.drop_index('ix_tickets_caller_registered_at')
        batch_op.drop_index(batch_op.f('ix_tickets_agency_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officials_mobile'))
        batch_op.drop_index(batch_op.f('ix_officials_agency_id'))

    op.drop_table('officials')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_sector_code'))

    op.drop_table('agencies')
    op.drop_table('sectors')
    op.drop_table('opt_outs')
    op.drop_table('categories')
    op.drop_table('blocked_numbers')
