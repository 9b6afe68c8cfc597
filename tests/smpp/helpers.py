"""Helpers for the SMPP tests: texts written as every service writes them, rows read back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import Direction, Message, Purpose
from models.outgoing import queue_text
from tests.builders import make_ticket

CITIZEN = "+989121234567"
"""An Irancell mobile: routed through the SMSC."""
ON_THE_WIRE = "989121234567"
"""The same number as destination_addr / source_addr carry it (international, no "+")."""


def queued(session: Session, body: str = "کد پیگیری شما: ۱۲۳", number: str = CITIZEN,
           with_ticket: bool = False) -> int:
    """An outbound text written and committed the way every service writes one; its id."""
    ticket = make_ticket(session) if with_ticket else None
    message = queue_text(session, number=number, body=body, purpose=Purpose.RESULT, ticket=ticket)
    session.commit()
    return message.id


def row(session: Session, message_id: int) -> Message:
    """The message as the database has it now; the read ends its transaction (on SQLite any
    transaction holds the write lock the link and the jobs need)."""
    session.rollback()
    found = session.get(Message, message_id, populate_existing=True)
    session.commit()
    return found


def inbound(session: Session) -> list[Message]:
    """Every inbound message, oldest first (the read ends its transaction)."""
    session.rollback()
    found = list(session.scalars(select(Message).where(Message.direction == Direction.IN).order_by(Message.id)
                                 .execution_options(populate_existing=True)))
    session.commit()
    return found
