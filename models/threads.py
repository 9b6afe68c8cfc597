"""Texts that continue a complaint: what a number sends soon after opening a ticket joins it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from models import search
from models.base import utcnow
from models.events import Event
from models.lifecycle import OPEN
from models.media import attach
from models.messages import Message
from models.tickets import Ticket, record

WINDOW = timedelta(minutes=10)
"""How long after opening a ticket a number's texts are added to it."""


def recent_ticket(session: Session, number: str, now: datetime | None = None) -> Ticket | None:
    """The open ticket `number` opened within WINDOW, newest first, if any."""
    # The id first: most texts join nothing, and a Ticket query joins its agency, official
    # and category tables (eager loads) for nothing.
    found = session.scalar(recent_ids(number, (now or utcnow()) - WINDOW).limit(1))
    return session.get(Ticket, found) if found is not None else None


def recent_ids(number: str | ColumnElement[str], since: datetime | ColumnElement[datetime]) -> Select[tuple[int]]:
    """The open tickets `number` opened after `since`, newest first (their ids); either
    may be a parameter."""
    return (select(Ticket.id).where(Ticket.caller == number, Ticket.registered_at > since, Ticket.status.in_(OPEN))
            .order_by(Ticket.registered_at.desc(), Ticket.id.desc()))


def append(session: Session, ticket: Ticket, message: Message,
           media: Sequence[tuple[str, str]] = ()) -> None:
    """Add the text (as sent) and its media to the ticket, on its timeline too, in the
    caller's transaction."""
    if message.body:
        ticket.text = f"{ticket.text}\n{message.body}" if ticket.text else message.body
    message.ticket = ticket
    attach(session, ticket, media, message)
    record(ticket, Event.SMS_APPENDED, actor="citizen", note=message.body or None,
           message=message.id, media=len(media))
    search.add(session, ticket.id, message.body)
