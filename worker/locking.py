"""Loading a ticket for a job: fresh, locked until commit, its timeline left unread."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models.tickets import Ticket


def locked_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, fresh from the database and locked until commit (PostgreSQL; SQLite
    transactions here take the write lock up front anyway), so two runs cannot interleave.

    Its timeline is not read: jobs only append to it (a query saved on every job).
    """
    query = (select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
             .execution_options(populate_existing=True))
    ticket = session.scalars(query).unique().first()
    if ticket is not None:
        set_committed_value(ticket, "events", [])  # appended to, never read, in a job
    return ticket
