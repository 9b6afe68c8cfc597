"""Console log-ins kept on the server (logins), and the type each stored attachment's content
proved it to be (media.verified_type).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Log-ins from before this revision lived only in their cookies: they end (nobody can
    # end them otherwise); everyone logs in once more.
    op.create_table(
        'logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_logins_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_logins')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_logins_token_hash')),
    )
    op.create_index(op.f('ix_logins_user_id'), 'logins', ['user_id'], unique=False)
    # Attachments stored before were never sniffed: the console sniffs those when served.
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_type', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('verified_type')
    op.drop_index(op.f('ix_logins_user_id'), table_name='logins')
    op.drop_table('logins')
