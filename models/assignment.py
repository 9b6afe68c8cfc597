"""Who at the agency works on a ticket: the ticket stays with its agency, and one console
user of that agency (or a supervisor) may take it.

Moving a ticket to another agency (a reassignment, an escalation) ends its assignment: the
new agency's people decide who takes it there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.errors import DomainError, IllegalTransition
from models.events import Event
from models.lifecycle import OPEN
from models.tickets import Ticket, record
from models.users import User, UserRole


class NotAssignable(DomainError):
    """The user cannot take the ticket: inactive, or of another agency."""


class TicketAssignment(Base):
    """The console user who works on an open ticket (one at most)."""

    __tablename__ = "ticket_assignments"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    """The list's "my tickets" reads by it."""
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(80))
    """The actor who assigned it ("user:sara")."""

    user: Mapped[User] = relationship(lazy="joined")


def eligible(session: Session, ticket: Ticket) -> list[User]:
    """Who may take `ticket`: the active inspectors of its agency, and supervisors."""
    return list(session.scalars(select(User).where(User.active.is_(True), (User.role == UserRole.SUPERVISOR) | (
        (User.role == UserRole.INSPECTOR) & (User.agency_id == ticket.agency_id))).order_by(User.name)).unique())


def assignee(session: Session, ticket_id: int) -> User | None:
    """Who works on the ticket now, if anyone."""
    held = session.get(TicketAssignment, ticket_id)
    return held.user if held else None


def assignees(session: Session, ticket_ids: list[int]) -> dict[int, User]:
    """Who works on each of these tickets (those nobody took are left out)."""
    rows = session.scalars(select(TicketAssignment).where(TicketAssignment.ticket_id.in_(ticket_ids))).unique()
    return {row.ticket_id: row.user for row in rows}


def held_by(user: User | None) -> ColumnElement[bool]:
    """A condition on tickets: assigned to `user` (to anyone when None)."""
    held = select(TicketAssignment.ticket_id).where(TicketAssignment.ticket_id == Ticket.id)
    return exists(held if user is None else held.where(TicketAssignment.user_id == user.id))


def assign(session: Session, ticket: Ticket, user: User | None, *, actor: str,
           at: datetime | None = None) -> None:
    """Give the open ticket to `user` (None: to nobody) and commit; the timeline says so."""
    if ticket.status not in OPEN:
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}: nobody works on it now")
    if user is not None and user.id not in {u.id for u in eligible(session, ticket)}:
        raise NotAssignable(f"{user.name} cannot take ticket {ticket.code}")
    held = session.get(TicketAssignment, ticket.id)
    previous = held.user.name if held else None
    if previous == (user.name if user else None):
        return  # already so: nothing to record
    if held is not None:
        session.delete(held)
        session.flush()
    if user is not None:
        session.add(TicketAssignment(ticket_id=ticket.id, user_id=user.id, assigned_by=actor,
                                     assigned_at=at or utcnow()))
    record(ticket, Event.ASSIGNED, actor=actor, at=at, assignee=user.name if user else None, previous=previous)
    session.commit()


def release(session: Session, ticket: Ticket, at: datetime | None = None) -> None:
    """End the ticket's assignment because it moved to another agency (in the caller's
    transaction); the timeline says whose it was."""
    held = session.get(TicketAssignment, ticket.id)
    if held is None:
        return
    record(ticket, Event.ASSIGNED, at=at, assignee=None, previous=held.user.name)
    session.delete(held)
