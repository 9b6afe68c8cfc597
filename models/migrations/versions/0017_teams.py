"""The console for teams: assignment, note mentions, saved filters, reopened tickets (their
count, the survey's round), full-text search (PostgreSQL: a generated tsvector with a GIN
index; SQLite: an FTS5 table kept by triggers), and the report cards' categories.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

import models.base
from models import search


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# The search objects each database has of its own (outside the models' metadata: see
# models.search.OUTSIDE_METADATA). to_tsvector with a named configuration is immutable, so
# PostgreSQL can keep it as a generated column.
POSTGRESQL_UP = (
    "ALTER TABLE search_documents ADD COLUMN terms tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "CREATE INDEX ix_search_documents_terms ON search_documents USING gin (terms)",
)
POSTGRESQL_DOWN = ("DROP INDEX ix_search_documents_terms", "ALTER TABLE search_documents DROP COLUMN terms")
# An external-content FTS5 table: the words live once, in search_documents; the triggers
# keep the index in step with every insert, update (the upsert that adds words) and delete.
SQLITE_UP = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_documents', content_rowid='ticket_id')",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, body) VALUES (new.ticket_id, new.body); END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.ticket_id, old.body); END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.ticket_id, old.body);
        INSERT INTO search_fts(rowid, body) VALUES (new.ticket_id, new.body); END""",
)
SQLITE_DOWN = ("DROP TRIGGER search_documents_au", "DROP TRIGGER search_documents_ad",
               "DROP TRIGGER search_documents_ai", "DROP TABLE search_fts")
COLUMNS = (('tickets', 'reopens'), ('survey_answers', 'round'), ('report_months', 'reopened'))


def _statements(postgresql: tuple[str, ...], sqlite: tuple[str, ...]) -> tuple[str, ...]:
    return postgresql if op.get_bind().dialect.name == 'postgresql' else sqlite


# Plain ALTER TABLE … ADD COLUMN, no batch mode: SQLite must not rebuild tickets (its
# timeline's foreign keys point at it).
def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.Integer(), server_default='0', nullable=False))
    _create_tables()
    for statement in _statements(POSTGRESQL_UP, SQLITE_UP):
        op.execute(statement)
    # Existing tickets get their documents; every month is rolled up again (categories).
    with Session(bind=op.get_bind()) as session:
        search.reindex(session)
    op.execute("DELETE FROM report_refreshes")


def _create_tables() -> None:
    op.create_table('report_categories',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_report_categories_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_report_categories_category_code_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('year', 'month', 'agency_id', 'category_code', name=op.f('pk_report_categories'))
    )
    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_filters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filters_user_id'))
    )
    op.create_table('search_documents',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_search_documents_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_search_documents'))
    )
    op.create_table('ticket_assignments',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_assignments_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_assignments'))
    )
    op.create_index(op.f('ix_ticket_assignments_user_id'), 'ticket_assignments', ['user_id'], unique=False)
    op.create_table('note_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'], name=op.f('fk_note_mentions_event_id_ticket_events')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_note_mentions_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_note_mentions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_mentions')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_note_mentions_event_id'))
    )
    op.create_index(op.f('ix_note_mentions_ticket_id'), 'note_mentions', ['ticket_id'], unique=False)
    op.create_index('ix_note_mentions_user_id_id', 'note_mentions', ['user_id', 'id'], unique=False)


def downgrade() -> None:
    for statement in _statements(POSTGRESQL_DOWN, SQLITE_DOWN):
        op.execute(statement)
    op.drop_index('ix_note_mentions_user_id_id', table_name='note_mentions')
    op.drop_index(op.f('ix_note_mentions_ticket_id'), table_name='note_mentions')
    op.drop_table('note_mentions')
    op.drop_index(op.f('ix_ticket_assignments_user_id'), table_name='ticket_assignments')
    op.drop_table('ticket_assignments')
    op.drop_table('search_documents')
    op.drop_table('saved_filters')
    op.drop_table('report_categories')
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column)
