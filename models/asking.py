"""Asking the citizen: a console user texts the complainant a question (a missing detail),
and what they text back joins that ticket's thread instead of opening a new complaint.

A text from the complainant's number answers the newest open ticket they were asked about
within ASK_WINDOW; after the first answer, the thread stays open for threads.WINDOW more
(an answer often comes in two texts), then their texts are complaints again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from models import notices, search, threads
from models.errors import DomainError, IllegalTransition
from models.events import Event
from models.lifecycle import OPEN
from models.media import attach
from models.messages import Direction, Message, Purpose
from models.outgoing import opted_out, queue_text
from models.tickets import Ticket, TicketEvent, record

ASK_WINDOW = timedelta(days=3)
"""How long after a question the complainant's texts are taken as its answer."""


class BadQuestion(DomainError):
    """A question with no words, or too long for two text messages."""


class CannotText(DomainError):
    """The complainant cannot be texted: a landline, a withheld number, or opted out."""


@dataclass(frozen=True)
class Question:
    """An open question: the ticket it is about and the text that asked it."""

    ticket: Ticket
    message_id: int


def ask(session: Session, ticket: Ticket, question: str, *, actor: str) -> Message:
    """Text the complainant `question` about their open ticket, on its timeline; commit."""
    question = " ".join(question.split())
    if ticket.status not in OPEN:
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}: ask while it is open")
    if not ticket.can_receive_sms or ticket.caller is None:
        raise CannotText(f"ticket {ticket.code} came from a number that cannot be texted")
    if opted_out(session, ticket.caller):
        raise CannotText(f"the complainant of ticket {ticket.code} asked not to be texted")
    body = notices.render("question", ticket.language, code=ticket.code, question=question)
    if not question or notices.segments(body) > notices.MAX_SEGMENTS:
        raise BadQuestion("a question needs words, and must fit in two text messages")
    message = queue_text(session, number=ticket.caller, body=body, purpose=Purpose.QUESTION, ticket=ticket)
    record(ticket, Event.CITIZEN_ASKED, actor=actor, note=question, message=message.id)
    search.add(session, ticket.id, question)
    session.commit()
    return message


def awaiting(session: Session, number: str, now: datetime) -> Question | None:
    """The newest open question to `number` whose answer may still come at `now`."""
    row = session.execute(open_questions(number, now - ASK_WINDOW).limit(1)).first()
    if row is None:
        return None
    first = session.scalar(select(func.min(TicketEvent.at)).where(
        TicketEvent.ticket_id == row.ticket_id, TicketEvent.kind == Event.CITIZEN_ANSWERED,
        TicketEvent.data["question"].as_integer() == row.id))
    if first is not None and first <= now - threads.WINDOW:
        return None
    return Question(session.get(Ticket, row.ticket_id), row.id)


def open_questions(number: str | ColumnElement[str],
                   since: datetime | ColumnElement[datetime]) -> Select[tuple[int, int]]:
    """Questions texted to `number` after `since` about its open tickets, newest first:
    (message id, ticket id); either may be a parameter."""
    return (select(Message.id, Message.ticket_id).join(Ticket, Ticket.id == Message.ticket_id)
            .where(Message.number == number, Message.direction == Direction.OUT,
                   Message.purpose == Purpose.QUESTION, Message.created_at > since, Ticket.status.in_(OPEN))
            .order_by(Message.id.desc()))


def take_answer(session: Session, question: Question, message: Message,
                media: Sequence[tuple[str, str]] = ()) -> None:
    """File the inbound `message` (and its media) on the question's ticket as the answer,
    in the caller's transaction."""
    ticket = question.ticket
    message.ticket = ticket
    attach(session, ticket, media, message)
    record(ticket, Event.CITIZEN_ANSWERED, actor="citizen", note=message.body or None, at=message.created_at,
           message=message.id, question=question.message_id, media=len(media))
    search.add(session, ticket.id, message.body)
