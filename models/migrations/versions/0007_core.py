"""The timeline is append-only in the database: triggers refuse UPDATE and DELETE on
ticket_events (whatever issues them: the ORM, Core, raw SQL), and deleting a ticket no longer
cascades to its events (a ticket with a timeline cannot be deleted).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FK = 'fk_ticket_events_ticket_id_tickets'

# restrict_violation (SQLSTATE 23001): drivers raise it as an integrity error, as SQLite's
# RAISE(ABORT) in a trigger is, so both databases refuse the same way.
POSTGRESQL_UP = (
    """
    CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ticket_events is append-only: % of event % refused', TG_OP, OLD.id
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only()
    """,
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER ticket_events_append_only ON ticket_events",
    "DROP FUNCTION ticket_events_append_only()",
)
SQLITE_UP = tuple(
    f"""
    CREATE TRIGGER ticket_events_no_{verb.lower()} BEFORE {verb} ON ticket_events
    BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only: {verb} refused'); END
    """
    for verb in ('UPDATE', 'DELETE')
)
SQLITE_DOWN = ("DROP TRIGGER ticket_events_no_update", "DROP TRIGGER ticket_events_no_delete")


def _statements(postgresql: tuple[str, ...], sqlite: tuple[str, ...]) -> tuple[str, ...]:
    return postgresql if op.get_bind().dialect.name == 'postgresql' else sqlite


def _point_at_tickets(ondelete: str | None) -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.create_foreign_key(FK, 'tickets', ['ticket_id'], ['id'], ondelete=ondelete)


def upgrade() -> None:
    # On SQLite the batch rebuilds the table, which would drop triggers: so they come after.
    _point_at_tickets(None)
    for statement in _statements(POSTGRESQL_UP, SQLITE_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(POSTGRESQL_DOWN, SQLITE_DOWN):
        op.execute(statement)
    _point_at_tickets('CASCADE')
