"""Outbound texts: written as a row in the caller's transaction, sent by a job after commit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, exists, insert, select
from sqlalchemy.orm import Session

from models.messages import Direction, Message, MessageStatus, OptOut, Purpose
from models.db import adopt
from models.outbox import Job, insert_work
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
        # No autoflush for this question: it would write the caller's pending changes (a
        # ticket being routed, a text being linked) now, and its commit would write the same
        # rows again. Opt-outs are written at once (models/optouts.py).
        with session.no_autoflush:
            known[1][number] = session.scalar(_OPTED_OUT, {"number": number}) is not None
    return known[1][number]


_OPTED_OUT = select(OptOut.number).where(OptOut.number == bindparam("number"))


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
    """Write an outbound SMS and the work to send it; an opted-out number gets no work.
    Both rows by statements built once (every complaint writes a text or more), without
    the ORM's flush: the caller's pending changes are written when it commits. `ticket` is
    a stored one (every ticket is stored by intake at once): the text names it by its id."""
    opted = barred(session, number, purpose)
    row = session.connection().execute(_QUEUE, {
        "direction": Direction.OUT.value, "number": number, "body": body, "purpose": purpose.value,
        "ticket_id": ticket.id if ticket else None,
        "status": (MessageStatus.OPTED_OUT if opted else MessageStatus.PENDING).value}).one()
    message = adopt(session, Message, row._mapping, inserted=True)
    if not opted:
        insert_work(session, Job.SEND_SMS, message.id, key=f"send_sms:{message.id}",
                    ticket_id=ticket.id if ticket else None)
    return message


_QUEUE = insert(Message.__table__).returning(*Message.__table__.c)
"""`queue_text`'s INSERT, built once."""
