"""Inbound texts, taken in once: the same message delivered again gets the answer it got."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.messages import Direction, Message, MessageStatus

log = logging.getLogger(__name__)

REPLY_WAIT = 5.0
"""Seconds a copy delivered at the same moment as the first waits for the first's answer."""
REPLY_POLL = 0.05
"""Seconds between two looks for that answer."""


def earlier_reply(session: Session, provider_id: str) -> str | None:
    """The answer already given to this message ("" for none), or None if not answered yet."""
    return session.scalar(select(Message.reply).where(
        Message.provider_id == provider_id, Message.direction == Direction.IN))


def take_in(session: Session, *, provider: str, provider_id: str, number: str,
            service_number: str | None, body: str) -> Message | None:
    """Insert the inbound message in the open transaction, before anything it causes.

    None when a copy of it was inserted before: the unique provider id decides, also between
    two requests at once (the second waits for the first to commit). Trying the insert
    first spares the first delivery, by far the most common, a look-up.
    """
    message = Message(direction=Direction.IN, provider=provider, provider_id=provider_id,
                      number=number[:20], service_number=service_number[:20] if service_number else None,
                      body=body, status=MessageStatus.RECEIVED)
    session.add(message)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return message


def answered(session: Session, message: Message, reply: str) -> None:
    """Keep the answer with the message and commit, so a retry can be given the same."""
    message.reply = reply
    session.commit()


def wait_for_reply(session: Session, provider_id: str, timeout: float = REPLY_WAIT) -> str:
    """The answer given to an earlier copy, or to one being handled right now once it is
    stored ("" if it never is)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.rollback()
        reply = earlier_reply(session, provider_id)
        session.rollback()  # hold no lock while waiting (on SQLite a read takes the write lock)
        if reply is not None:
            return reply
        time.sleep(REPLY_POLL)
    log.warning("no answer stored for a duplicate delivery", extra={"message_sid": provider_id})
    return ""
