"""Calls whose end was never reported: a partial index for the workers' sweep of them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


# Plain CREATE INDEX, no batch mode: nothing here may make SQLite rebuild a table.
def upgrade() -> None:
    op.create_index('ix_calls_open', 'calls', ['started_at'], unique=False,
                    postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_calls_open', table_name='calls')
