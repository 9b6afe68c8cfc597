"""The citizen's 1-5 answer to the satisfaction survey: stored once a round, and the ticket
closes. A reopened ticket is surveyed again after its new result; that answer replaces the
earlier one (both scores stay on the timeline)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import actions
from models.base import utcnow
from models.errors import IllegalTransition
from models.events import Event
from models.lifecycle import can_move
from models.messages import Direction, Message, Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus, record


def pending_survey(session: Session, number: str) -> Ticket | None:
    """The newest resolved ticket of `number` that was sent a survey not yet answered,
    fresh and locked until commit: the sweep that closes unanswered surveys (which locks
    it too) either waits for this answer or has closed it, and then it is not pending."""
    surveyed = exists().where(Message.ticket_id == Ticket.id, Message.direction == Direction.OUT,
                              Message.purpose == Purpose.SURVEY)
    answered = exists().where(SurveyAnswer.ticket_id == Ticket.id, SurveyAnswer.round >= Ticket.reopens)
    # The id first: FOR UPDATE cannot lock the outer joins of a Ticket query's eager loads.
    found = session.scalar(
        select(Ticket.id)
        .where(Ticket.caller == number, Ticket.status == TicketStatus.RESOLVED, surveyed, ~answered)
        .order_by(Ticket.resolved_at.desc(), Ticket.id.desc()).limit(1).with_for_update()
    )
    return session.get(Ticket, found, populate_existing=True) if found is not None else None


def answered_since(session: Session, number: str, since: datetime) -> Ticket | None:
    """The ticket of `number` whose survey was answered after `since`, newest first."""
    return session.scalar(
        select(Ticket).join(SurveyAnswer, SurveyAnswer.ticket_id == Ticket.id)
        .where(Ticket.caller == number, SurveyAnswer.answered_at > since)
        .order_by(SurveyAnswer.answered_at.desc()).limit(1)
    )


def answer(session: Session, ticket: Ticket, score: int, message: Message | None = None) -> bool:
    """Store the score and close the ticket, in the caller's transaction; False (nothing
    changed) if this round was answered. IllegalTransition (nothing changed) if it is not
    resolved."""
    if not can_move(TicketStatus(ticket.status), TicketStatus.CLOSED):
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}")
    if message is not None:
        message.ticket = ticket
    if not _store(session, ticket, score, message.id if message else None):
        return False
    record(ticket, Event.SURVEY_ANSWERED, actor="citizen", score=score, round=ticket.reopens)
    actions.close(session, ticket, actor="citizen", commit=False)
    return True


def _store(session: Session, ticket: Ticket, score: int, message_id: int | None) -> bool:
    """Write this round's answer: a new row, or over an earlier round's; False if answered."""
    earlier = session.scalar(select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id)
                             .with_for_update().execution_options(populate_existing=True))
    if earlier is not None:
        if earlier.round >= ticket.reopens:
            return False
        earlier.score, earlier.round, earlier.message_id = score, ticket.reopens, message_id
        earlier.answered_at = utcnow()
        return True
    try:
        # Two first answers at once: the unique ticket id lets one in.
        with session.begin_nested():
            session.add(SurveyAnswer(ticket_id=ticket.id, score=score, message_id=message_id,
                                     round=ticket.reopens))
    except IntegrityError:
        return False
    return True
