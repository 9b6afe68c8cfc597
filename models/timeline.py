"""What jobs ask of a ticket's timeline (which they only append to otherwise)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models.tickets import TicketEvent


def has_event(session: Session, ticket_id: int, *kinds: str) -> bool:
    """True when the ticket's timeline has an event of one of these kinds."""
    found = select(TicketEvent.id).where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind.in_(kinds))
    return bool(session.scalar(select(exists(found))))
