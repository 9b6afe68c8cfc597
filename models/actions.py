"""What officials and supervisors do to a ticket: the same functions from SMS, console or CLI.

Each takes the actor as data ("official:12", "user:maryam") and commits; those an SMS can
trigger also take `commit=False`, so that the SMS answer job commits the action together
with its reply.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import lifecycle, search
from models.base import utcnow
from models.blocklist import block
from models.errors import EmptyResult, SelfDuplicate
from models.outbox import Job, add_work
from models.tickets import Ticket, TicketStatus


def acknowledge(session: Session, ticket: Ticket, *, actor: str, at: datetime | None = None,
                commit: bool = True) -> None:
    """The official has seen the case. The clock keeps running: only a result stops it."""
    lifecycle.move(ticket, TicketStatus.ACKNOWLEDGED, actor=actor, at=at)
    _done(session, commit)


def resolve(session: Session, ticket: Ticket, result: str, *, actor: str,
            at: datetime | None = None, commit: bool = True) -> None:
    """Answer the complaint; the citizen is texted the result and then the survey."""
    result = result.strip()
    if not result:
        raise EmptyResult("a result needs a text the citizen can read")
    lifecycle.move(ticket, TicketStatus.RESOLVED, actor=actor, at=at, note=result)
    ticket.result_text = result
    search.add(session, ticket.id, result)
    add_work(session, Job.TEXT_BACK, ticket.id, key=text_back_key(ticket), ticket_id=ticket.id)
    _done(session, commit)


def text_back_key(ticket: Ticket) -> str:
    """The outbox key of a result's text-back: one per round (a reopened ticket's next
    result is texted too)."""
    suffix = f":{ticket.reopens}" if ticket.reopens else ""
    return f"text_back:{ticket.id}{suffix}"


def mark_duplicate(session: Session, ticket: Ticket, original: Ticket, *, actor: str) -> None:
    """Close the ticket as the same complaint as `original`."""
    if original.id == ticket.id:
        raise SelfDuplicate("a ticket cannot duplicate itself")
    ticket.duplicate_of_id = original.id
    lifecycle.move(ticket, TicketStatus.DUPLICATE, actor=actor, original=original.code)
    session.commit()


def mark_nuisance(session: Session, ticket: Ticket, *, actor: str, block_number: bool = True,
                  until: datetime | None = None) -> None:
    """Close the ticket as abuse of the line and, by default, block the number."""
    lifecycle.move(ticket, TicketStatus.NUISANCE, actor=actor)
    if block_number and ticket.caller:
        block(session, ticket.caller, reason=f"nuisance ticket {ticket.code}", by=actor, until=until)
    session.commit()


def reject(session: Session, ticket: Ticket, reason: str, *, actor: str) -> None:
    """Close the ticket as outside the scope of the 128 line."""
    lifecycle.move(ticket, TicketStatus.REJECTED, actor=actor, note=reason.strip() or None)
    session.commit()


def close(session: Session, ticket: Ticket, *, actor: str = "system", at: datetime | None = None,
          commit: bool = True) -> None:
    """Close a resolved ticket (after the survey answer, or when nobody answered it)."""
    lifecycle.move(ticket, TicketStatus.CLOSED, actor=actor, at=at or utcnow())
    _done(session, commit)


def _done(session: Session, commit: bool) -> None:
    if commit:
        session.commit()
