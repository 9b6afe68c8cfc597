"""Officials answering by SMS from their registered mobile: acknowledge or resolve a ticket."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import actions, lookup
from models.agencies import Official
from models.errors import DomainError, IllegalTransition
from models.lifecycle import can_move
from models.messages import Message
from models.tickets import Ticket, TicketStatus


class NotYourTicket(DomainError):
    """The ticket is assigned neither to this official nor to their agency or one below it."""


def by_mobile(session: Session, number: str | None) -> list[Official]:
    """The active officials registered with this mobile (one person may serve two agencies)."""
    if not number:
        return []
    # Ids first: nearly every text is from a citizen, and an Official query joins agencies.
    ids = session.scalars(select(Official.id).where(Official.mobile == number, Official.active)).all()
    return [session.get(Official, i) for i in ids]


def answering(ticket: Ticket, officials: list[Official]) -> Official | None:
    """Which of `officials` may answer `ticket`: its assignee, or one of its agency or above."""
    for official in officials:
        if ticket.official_id == official.id:
            return official
    ours = {o.agency_id: o for o in officials}
    agency = ticket.agency
    while agency is not None:
        if agency.id in ours:
            return ours[agency.id]
        agency = agency.parent
    return None


def answer(session: Session, officials: list[Official], code: str, result: str | None,
           message: Message | None = None) -> Ticket:
    """Acknowledge (`result` None) or resolve the ticket `code`, in the caller's transaction.

    Raises InvalidCode, TicketNotFound, NotYourTicket or IllegalTransition, changing nothing.
    """
    ticket = lookup.find_by_code(session, code)
    official = answering(ticket, officials)
    if official is None:
        raise NotYourTicket(f"ticket {ticket.code} is not for official(s) {[o.id for o in officials]}")
    target = TicketStatus.ACKNOWLEDGED if result is None else TicketStatus.RESOLVED
    if not can_move(TicketStatus(ticket.status), target):
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}")
    if message is not None:
        message.ticket = ticket
    actor = f"official:{official.id}"
    if result is None:
        actions.acknowledge(session, ticket, actor=actor, commit=False)
    else:
        actions.resolve(session, ticket, result, actor=actor, commit=False)
    return ticket
