"""Inbound texts: taken in at once with the work to answer them, answered once by that work."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.messages import Direction, Message, MessageStatus, Purpose
from models.outbox import Job, add_work
from models.outgoing import queue_text

NUMBER_CHARS = 20
"""What the messages table holds of a number (E.164 needs at most 16)."""


def take_in(session: Session, *, provider: str, provider_id: str, number: str,
            service_number: str | None, body: str, media: Sequence[tuple[str, str]] = ()) -> int | None:
    """Store an inbound message with the work to answer it, and commit: its id.

    None, and nothing stored, when a copy was taken in before: the unique provider id
    decides, also between two copies at once (the second waits for the first to commit).
    Inserting first spares the first delivery, by far the most common, a look-up.
    """
    message = Message(direction=Direction.IN, provider=provider, provider_id=provider_id,
                      number=number[:NUMBER_CHARS], body=body, status=MessageStatus.RECEIVED,
                      service_number=service_number[:NUMBER_CHARS] if service_number else None,
                      media=[list(item) for item in media] or None)
    session.add(message)
    try:
        session.flush()
        add_work(session, Job.ANSWER_SMS, message.id, key=f"answer_sms:{message.id}")
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return message.id


def unanswered(session: Session, message_id: int) -> Message | None:
    """The inbound message, fresh and locked until commit, unless it was answered (or is
    not there): whoever holds it decides the answer, and nobody decides it twice."""
    return session.scalar(
        select(Message).where(Message.id == message_id, Message.direction == Direction.IN,
                              Message.reply.is_(None))
        .with_for_update().execution_options(populate_existing=True))


def answer(session: Session, message: Message, reply: str, purpose: Purpose = Purpose.REPLY) -> Message | None:
    """Keep the decided reply with the message and queue it as a text to the sender (in the
    caller's transaction); None when there is nothing to say."""
    message.reply = reply
    if not reply:
        return None
    return queue_text(session, number=message.number, body=reply, purpose=purpose, ticket=message.ticket)
