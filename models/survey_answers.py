"""The citizen's 1-5 answer to the satisfaction survey: stored once, and the ticket closes."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import actions
from models.errors import IllegalTransition
from models.lifecycle import can_move
from models.messages import Direction, Message, Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus, record


def pending_survey(session: Session, number: str) -> Ticket | None:
    """The newest resolved ticket of `number` that was sent a survey not yet answered."""
    surveyed = exists().where(Message.ticket_id == Ticket.id, Message.direction == Direction.OUT,
                              Message.purpose == Purpose.SURVEY)
    answered = exists().where(SurveyAnswer.ticket_id == Ticket.id)
    return session.scalar(
        select(Ticket)
        .where(Ticket.caller == number, Ticket.status == TicketStatus.RESOLVED, surveyed, ~answered)
        .order_by(Ticket.resolved_at.desc(), Ticket.id.desc()).limit(1)
    )


def answer(session: Session, ticket: Ticket, score: int, message: Message | None = None) -> bool:
    """Store the score and close the ticket, in the caller's transaction; False (nothing
    changed) if it was answered. IllegalTransition (nothing changed) if it is not resolved."""
    if not can_move(TicketStatus(ticket.status), TicketStatus.CLOSED):
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}")
    if message is not None:
        message.ticket = ticket
    try:
        # Two answers at once: the unique ticket id lets one in.
        with session.begin_nested():
            session.add(SurveyAnswer(ticket_id=ticket.id, score=score,
                                     message_id=message.id if message else None))
    except IntegrityError:
        return False
    record(ticket, "survey_answered", actor="citizen", score=score)
    actions.close(session, ticket, actor="citizen", commit=False)
    return True
