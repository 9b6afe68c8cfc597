"""Outbound texts: written as a row in the caller's transaction, sent by a job after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (ColumnElement, Integer, Select, String, and_, bindparam, case, exists, insert,
                        select, true)
from sqlalchemy.orm import Session

from models.base import utcnow
from models.carrying import Carried, carrying
from models.db import adopt
from models.messages import Direction, Message, MessageStatus, OptOut, Purpose
from models.outbox import Job, OutboxItem, Work, insert_work, work_from, written
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
               ticket: Ticket | None = None, carried: Carried = ()) -> Message:
    """Write an outbound SMS and the work to send it; a number that opted out gets its row
    (status opted_out, but for the one confirmation of that opt-out) and no work.
    Both rows by statements built once (every complaint writes a text or more), without
    the ORM's flush, on PostgreSQL by one statement: the caller's pending changes are
    written when it commits. `ticket` is a stored one (every ticket is stored by intake at
    once): the text names it by its id. `carried`: writes of the caller's that go out with
    the text (`models.carrying`)."""
    connection = session.connection()
    at_once = connection.dialect.name == "postgresql"
    row = dict(carrying(connection, _QUEUE_AT_ONCE if at_once else _QUEUE, {
        "text_direction": Direction.OUT.value, "text_number": number, "text_body": body,
        "text_purpose": purpose.value, "text_ticket_id": ticket.id if ticket else None, "text_now": utcnow()},
        carried)[0]._mapping)
    work_id = row.pop("work_id", None)
    message = adopt(session, Message, row, inserted=True)
    if work_id is not None:
        written(session).append(Work(work_id, Job.SEND_SMS.value, (message.id,), ticket.code if ticket else None))
    elif not at_once and message.status == MessageStatus.PENDING:
        insert_work(session, Job.SEND_SMS, message.id, key=f"{SEND_KEY}{message.id}",
                    ticket_id=ticket.id if ticket else None)
    return message


SEND_KEY = "send_sms:"
"""The outbox key of a text's send work, before its id."""
_MESSAGES, _OUTBOX = Message.__table__, OutboxItem.__table__
# Parameters named apart from every column: a carried UPDATE would take a parameter named as
# one of its table's columns for a value to SET.
_NUMBER, _PURPOSE = bindparam("text_number", type_=String), bindparam("text_purpose", type_=String)
_NOW = bindparam("text_now", type_=_MESSAGES.c.created_at.type)
_VALUES = {"direction": bindparam("text_direction", type_=String),
           "ticket_id": bindparam("text_ticket_id", type_=Integer),
           "body": bindparam("text_body", type_=String), "number": _NUMBER, "purpose": _PURPOSE,
           "status": case((barred_clause(_NUMBER, _PURPOSE), MessageStatus.OPTED_OUT.value),
                          else_=MessageStatus.PENDING.value),
           "created_at": _NOW, "updated_at": _NOW}
"""The text's row, with its status: the opt-out is read in the INSERT (no round trip of its
own). Every column with a default is given: a write inside a WITH gets no Python-side default."""
_QUEUE = insert(_MESSAGES).values(_VALUES).returning(*_MESSAGES.c)
"""`queue_text`'s INSERT on SQLite, built once."""


def _queue_at_once() -> Select[Any]:
    """PostgreSQL's one statement: the text's row and, unless its number opted out, its send
    work; the row's columns and the work's id (NULL without work)."""
    message = insert(_MESSAGES).values(_VALUES).returning(*_MESSAGES.c).cte("message")
    work = work_from(Job.SEND_SMS, SEND_KEY, message.c.id, _NOW, message.c.ticket_id,
                     message.c.status == MessageStatus.PENDING.value).returning(_OUTBOX.c.id).cte("work")
    return select(message, work.c.id.label("work_id")).select_from(message.outerjoin(work, true()))


_QUEUE_AT_ONCE = _queue_at_once()
"""Built once: a statement object reused keeps its cache key, so executing it compiles nothing."""
