"""SMS opt-outs remember who stopped the texts: our Persian words, or Twilio (its STOP words
or a 21610 refusal), which only Twilio's START lifts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows cannot be told apart: as Twilio's, شروع asks for START, which lifts both.
    with op.batch_alter_table('opt_outs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), server_default='twilio',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('opt_outs', schema=None) as batch_op:
        batch_op.drop_column('source')
