"""Outbound texts: written as a row in the caller's transaction, sent by a job after commit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, bindparam, case, exists, insert, select
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


def barred_clause(number: ColumnElement[str] = Message.number,
                  purpose: ColumnElement[str] = Message.purpose) -> ColumnElement[bool]:
    """True when `number` opted out and the text (of `purpose`) is not the one confirmation
    of that (لغو is ours, so Twilio lets that confirmation through): as SQL, for statements
    that decide it in the database; over a Message row's columns unless told otherwise."""
    return and_(purpose != Purpose.OPT_OUT, exists().where(OptOut.number == number))


def queue_text(session: Session, *, number: str, body: str, purpose: Purpose,
               ticket: Ticket | None = None) -> Message:
    """Write an outbound SMS and the work to send it; a number that opted out gets its row
    (status opted_out, but for the one confirmation of that opt-out) and no work.
    Both rows by statements built once (every complaint writes a text or more), without
    the ORM's flush: the caller's pending changes are written when it commits. `ticket` is
    a stored one (every ticket is stored by intake at once): the text names it by its id."""
    row = session.connection().execute(_QUEUE, {
        "direction": Direction.OUT.value, "number": number, "body": body, "purpose": purpose.value,
        "ticket_id": ticket.id if ticket else None}).one()
    message = adopt(session, Message, row._mapping, inserted=True)
    if message.status == MessageStatus.PENDING:
        insert_work(session, Job.SEND_SMS, message.id, key=f"send_sms:{message.id}",
                    ticket_id=ticket.id if ticket else None)
    return message


_NUMBER, _PURPOSE = bindparam("number", type_=String), bindparam("purpose", type_=String)
_QUEUE = insert(Message.__table__).values(
    direction=bindparam("direction"), ticket_id=bindparam("ticket_id"), body=bindparam("body"),
    number=_NUMBER, purpose=_PURPOSE,
    status=case((barred_clause(_NUMBER, _PURPOSE), MessageStatus.OPTED_OUT.value),
                else_=MessageStatus.PENDING.value),
).returning(*Message.__table__.c)
"""`queue_text`'s INSERT, built once: the opt-out is read in it (no round trip of its own)."""
