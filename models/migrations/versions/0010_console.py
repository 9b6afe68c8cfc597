"""The console's ticket list reads newest first: an index on tickets (registered_at, id).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Plain CREATE INDEX, no batch mode: nothing here may make SQLite rebuild a table.
def upgrade() -> None:
    op.create_index('ix_tickets_registered_at_id', 'tickets', ['registered_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_registered_at_id', table_name='tickets')
