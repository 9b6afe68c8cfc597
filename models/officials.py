"""Officials answering by SMS from their registered mobile: acknowledge or resolve a ticket
assigned to them or to their agency, and no other: not one of an agency above or below
theirs, nor one their agency had before it escalated away."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from models import actions, lookup
from models.agencies import Agency, Official
from models.errors import DomainError, IllegalTransition
from models.lifecycle import can_move
from models.messages import Message
from models.tickets import Ticket, TicketStatus


class NotYourTicket(DomainError):
    """The ticket is assigned neither to this official nor to their agency."""

    def __init__(self, detail: str, now_with: Agency | None = None) -> None:
        super().__init__(detail)
        self.now_with = now_with
        """The agency that has the ticket now, when the official's agency had it before."""


def by_mobile(session: Session, number: str | None) -> list[Official]:
    """The active officials registered with this mobile (one person may serve two agencies)."""
    if not number:
        return []
    # Ids first: nearly every text is from a citizen, and an Official query joins agencies.
    return [session.get(Official, i) for i in session.scalars(serving(number)).all()]


def serving(number: str | ColumnElement[str]) -> Select[tuple[int]]:
    """The active officials registered with this mobile (their ids); it may be a parameter."""
    return select(Official.id).where(Official.mobile == number, Official.active)


def answering(ticket: Ticket, officials: list[Official]) -> Official | None:
    """Which of `officials` may answer `ticket`: its assignee, else one of the agency that
    has it now (the issue: "tickets assigned to them or their agency")."""
    assignee = next((o for o in officials if o.id == ticket.official_id), None)
    if assignee is not None or ticket.agency_id is None:
        return assignee
    return next((o for o in officials if o.agency_id == ticket.agency_id), None)


def had_it(ticket: Ticket, officials: list[Official]) -> bool:
    """True when the agency of one of `officials` had the ticket before it moved on
    (escalated, or reassigned from the console): both name it `previous_agency`."""
    theirs = {o.agency.code for o in officials}
    return any(event.data.get("previous_agency") in theirs for event in ticket.events)


def answer(session: Session, officials: list[Official], code: str, result: str | None,
           message: Message | None = None) -> Ticket:
    """Acknowledge (`result` None) or resolve the ticket `code`, in the caller's transaction.

    Raises InvalidCode, TicketNotFound, NotYourTicket or IllegalTransition, changing nothing.
    """
    ticket = lookup.find_by_code(session, code)
    official = answering(ticket, officials)
    if official is None:
        raise NotYourTicket(f"ticket {ticket.code} is not for official(s) {[o.id for o in officials]}",
                            now_with=ticket.agency if had_it(ticket, officials) else None)
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
