"""Inbound texts: taken in at once with the work to answer them, answered once by that work,
one number's texts one at a time and in the order they came."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Sequence

from sqlalchemy import bindparam, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Insert

from models.base import utcnow
from models.carrying import Carried, carrying
from models.db import column_update, hold_as_loaded, one_statement
from models.lean import Lean
from models.messages import Direction, Message, MessageStatus, Purpose
from models.outbox import Job, OutboxItem, Work, insert_work, work_from, written
from models.outgoing import queue_text
from models.tickets import timeline_written

NUMBER_CHARS = 20
"""What the messages table holds of a number (E.164 needs at most 16)."""
ANSWER_KEY = "answer_sms:"
"""The outbox key of a message's answer work, before its id."""
_INSERT_MESSAGE = insert(Message.__table__).returning(Message.__table__.c.id)
"""Built once: a statement object reused keeps its cache key, so executing it compiles nothing."""
_FIELDS = ("direction", "provider", "provider_id", "number", "body", "status", "media", "service_number",
           "created_at")
"""What take_in writes of a message (the others are NULL)."""


def _message_and_work() -> Insert:
    """PostgreSQL's one statement for both rows: the message, unless its provider id is
    taken (then no row at all), and its answer work; RETURNING the work's id and arguments.
    SQLite allows no INSERT inside a WITH."""
    messages, outbox = Message.__table__, OutboxItem.__table__
    # Python-side defaults are not relied on inside a WITH: each column that has one is named.
    message = (pg_insert(messages).values({name: bindparam(name, type_=messages.c[name].type) for name in _FIELDS}
                                          | {"updated_at": bindparam("created_at", type_=messages.c.created_at.type)})
               .on_conflict_do_nothing(index_elements=[messages.c.provider_id])
               .returning(messages.c.id).cte("message"))
    return work_from(Job.ANSWER_SMS, ANSWER_KEY, message.c.id,
                     bindparam("created_at", type_=outbox.c.created_at.type)).returning(outbox.c.id, outbox.c.args)


_TAKE_IN_PG = Lean(_message_and_work())
"""Built once, as _INSERT_MESSAGE."""


def take_in(session: Session, *, provider: str, provider_id: str, number: str,
            service_number: str | None, body: str, media: Sequence[tuple[str, str]] = ()) -> int | None:
    """Store an inbound message with the work to answer it, and commit: its id.

    None, and nothing stored, when a copy was taken in before: the unique provider id
    decides, also between two copies at once (the second waits for the first to commit).
    Inserting first spares the first delivery, by far the most common, a look-up.
    """
    # Core INSERTs … RETURNING on the session's connection: the webhook's hot path has no use
    # for the ORM's unit of work or DML handling around rows it never reads again.
    row = {"direction": Direction.IN.value, "provider": provider, "provider_id": provider_id,
           "number": number[:NUMBER_CHARS], "body": body, "status": MessageStatus.RECEIVED.value,
           "media": [list(item) for item in media] or None,
           "service_number": service_number[:NUMBER_CHARS] if service_number else None}
    if session.get_bind().dialect.name == "postgresql":
        return _take_in_at_once(session, row)
    try:
        message_id = session.connection().execute(_INSERT_MESSAGE, row).scalar_one()
        insert_work(session, Job.ANSWER_SMS, message_id, key=ANSWER_KEY + str(message_id))
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return message_id


def _take_in_at_once(session: Session, row: dict[str, object]) -> int | None:
    """take_in on PostgreSQL: both rows in one statement, which commits itself when the
    session had no transaction open (the webhook's): one round trip, not BEGIN, two INSERTs
    and COMMIT. ON CONFLICT waits for a copy being written at the same moment, as the
    unique index does for a plain INSERT, then writes nothing."""
    one_statement(session)
    both = _TAKE_IN_PG.first(session.connection(), {**row, "created_at": utcnow()})
    if both is None:
        session.rollback()
        return None
    work_id, (message_id,) = both
    written(session).append(Work(work_id, Job.ANSWER_SMS.value, (message_id,)))
    session.commit()  # pushes the work (and, inside a caller's transaction, commits it)
    return message_id


def hold_sender(session: Session, message_id: int) -> str | None:
    """The number that sent inbound message `message_id`, held until commit so that its
    texts are answered one at a time (None when there is no such message).

    Without it two quick texts answered at once on two workers would each open a ticket
    where the second should join the first, and could pass the hourly limit together.
    PostgreSQL: a transaction's advisory lock on a hash of the number. SQLite needs none:
    every transaction here takes the database's one write lock first (models/db.py).
    """
    found = _sender(session.get_bind().dialect.name).first(session.connection(), {"message_id": message_id})
    return found[0] if found is not None else None


@functools.cache
def _sender(dialect: str) -> Lean:
    """`hold_sender`'s statement, built once for each database (every text's answer runs it, lean)."""
    sender = select(Message.number).where(Message.id == bindparam("message_id"), Message.direction == Direction.IN)
    if dialect == "postgresql":
        # The lock is taken by the statement that reads the number: one round trip. Its key,
        # a 64-bit hash of the number, is the same in every process.
        key = func.hashtextextended(literal(ANSWER_KEY) + Message.number, 0)
        sender = sender.add_columns(func.pg_advisory_xact_lock(key))
    return Lean(sender)


def unanswered(session: Session, message_id: int, number: str) -> list[Message]:
    """Inbound message `message_id` and the earlier texts of its `number` still waiting for
    an answer, oldest first, fresh and locked until commit; [] when it was answered (or is
    not there): whoever holds them decides their answers, and nobody decides one twice."""
    waiting = list(session.scalars(_UNANSWERED, {"number": number, "message_id": message_id}))
    return waiting if waiting and waiting[-1].id == message_id else []


_UNANSWERED = (select(Message).where(Message.number == bindparam("number"), Message.direction == Direction.IN,
                                     Message.reply.is_(None), Message.id <= bindparam("message_id"))
               .order_by(Message.id).with_for_update().execution_options(populate_existing=True))
"""`unanswered`'s statement, built once."""


def answer(session: Session, message: Message, reply: str, purpose: Purpose = Purpose.REPLY,
           carried: Carried = ()) -> Message | None:
    """Keep the decided reply with the message and queue it as a text to the sender (in the
    caller's transaction); None when there is nothing to say. The message's row is written
    by one statement (every text comes here), with the ticket the answer linked it to, on
    PostgreSQL in the reply's own, as are the writes `carried` (of the step that decided
    the reply: a question's, say; `models.carrying`)."""
    values: dict[str, object] = {"reply": reply, "updated_at": utcnow()}
    linked = "ticket" in message.__dict__  # set (or read) in this transaction
    if linked:
        values["ticket_id"] = message.ticket.id if message.ticket is not None else None
    if not reply:
        carrying(session.connection(), *column_update(message, values), carried)
        text = None
    else:  # the message's row goes out with its reply's (one statement on PostgreSQL)
        text = queue_text(session, number=message.number, body=reply, purpose=purpose, ticket=message.ticket,
                          carried=[column_update(message, values), *carried])
    hold_as_loaded(message, values)
    if linked:
        set_committed_value(message, "ticket", message.ticket)  # written: nothing left to flush
        if carried and message.ticket is not None:
            timeline_written(session, message.ticket.id)  # what was carried may add to it
    return text


def told_to_wait(session: Session, number: str, since: datetime) -> bool:
    """True when `number` was answered "please wait" (past the hourly limit) after `since`:
    a sender who floods us is told once, not once a text, since every reply costs money."""
    return session.scalar(select(Message.id).where(
        Message.number == number, Message.direction == Direction.OUT,
        Message.purpose == Purpose.PLEASE_WAIT, Message.created_at > since).limit(1)) is not None
