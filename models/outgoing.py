"""Outbound texts: written as a row in the caller's transaction, sent by a job after commit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from models.messages import Direction, Message, MessageStatus, OptOut, Purpose
from models.outbox import Job, add_work
from models.tickets import Ticket


_KNOWN = "opted_out"
"""session.info: (the transaction, {number: opted out}) — asked once a transaction."""


def opted_out(session: Session, number: str) -> bool:
    """True when `number` asked not to be texted; read once a transaction (an SMS complaint
    asks before its question and again for its reply)."""
    transaction = session.get_transaction()
    known = session.info.get(_KNOWN)
    if known is None or known[0] is not transaction:
        known = session.info[_KNOWN] = (transaction, {})
    if number not in known[1]:
        known[1][number] = session.scalar(select(OptOut.number).where(OptOut.number == number)) is not None
    return known[1][number]


def forget_opted_out(session: Session, number: str) -> None:
    """After writing `number`'s opt-out: the next `opted_out` reads it again."""
    known = session.info.get(_KNOWN)
    if known is not None:
        known[1].pop(number, None)


def barred(session: Session, number: str, purpose: str | None) -> bool:
    """True when `number` may not be texted for `purpose`: it opted out, and this text is
    not the one confirmation of that (لغو is ours, so Twilio lets that confirmation through)."""
    return purpose != Purpose.OPT_OUT and opted_out(session, number)


def barred_clause() -> ColumnElement[bool]:
    """`barred` as SQL over a Message row, for statements that decide it in the database."""
    return and_(Message.purpose != Purpose.OPT_OUT,
                exists().where(OptOut.number == Message.number))


def queue_text(session: Session, *, number: str, body: str, purpose: Purpose,
               ticket: Ticket | None = None) -> Message:
    """Write an outbound SMS and the work to send it; an opted-out number gets no work."""
    message = Message(
        direction=Direction.OUT, number=number, body=body, purpose=purpose.value,
        ticket=ticket, status=MessageStatus.PENDING,
    )
    session.add(message)
    # No autoflush for this question: it would write the caller's pending changes (a
    # ticket being routed) now, and the flush below would write the ticket again.
    with session.no_autoflush:
        opted = barred(session, number, purpose)
    if opted:
        message.status = MessageStatus.OPTED_OUT
        return message
    session.flush()
    add_work(session, Job.SEND_SMS, message.id, key=f"send_sms:{message.id}",
             ticket_id=ticket.id if ticket else None)
    return message
