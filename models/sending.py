"""An outbound SMS after it is queued: claimed by one send job, sent, given back or failed,
then moved forward by delivery reports, never backwards.

A claim names its holder (the RQ job's id, or the sweep) and its time. A row left "sending"
may have gone out (the job died, or the provider did not answer): only the same job's next
attempt, or the sweep once the claim is old, takes it over, one of them, and asks the
provider before sending it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from models.base import row_id, utcnow
from models.db import adopt, one_statement
from models.events import Event
from models.lean import Lean
from models.messages import DELIVERY_ORDER, Direction, Message, MessageStatus, OptOutSource
from models.optouts import opt_out
from models.outgoing import barred_clause
from models.tickets import record

S = MessageStatus


def _move(session: Session, message_id: int, sources: set[MessageStatus], *when: ColumnElement[bool],
          **values: object) -> bool:
    """Change the row only if its status is still one of `sources` (and `when` holds): one
    writer wins."""
    statement = (update(Message).where(Message.id == message_id, Message.status.in_(sources), *when)
                 .values(updated_at=utcnow(), **values))
    return session.execute(statement).rowcount == 1


def _fresh(session: Session, message_id: int) -> Message | None:
    return session.get(Message, message_id, populate_existing=True)


def claim(session: Session, message_id: int, by: str | None = None) -> Message | None:
    """Take a pending row for one send attempt, for `by`, and commit; None when it is not
    pending (sent, claimed, or its number opted out since: never texted, but for the
    confirmation of that opt-out).

    One statement decides and returns the row: the opt-out check is part of the UPDATE.
    """
    one_statement(session)
    now = utcnow()
    row = _CLAIM.first(session.connection(), {"message_id": message_id, "by": by, "now": now})
    session.commit()
    message = adopt(session, Message, row._mapping) if row is not None else None
    return message if message is not None and message.status == S.SENDING else None


_MESSAGES = Message.__table__
_CLAIM = Lean(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id"), _MESSAGES.c.status == S.PENDING)
          .values(status=case((barred_clause(), S.OPTED_OUT.value), else_=S.SENDING.value),
                  claimed_by=bindparam("by"), claimed_at=bindparam("now"), updated_at=bindparam("now"))
          .returning(*_MESSAGES.c))
"""`claim`'s statement, built once (every send runs it), without the ORM (see models.db.adopt)."""


def resume(session: Session, message_id: int, by: str | None) -> Message | None:
    """The row an earlier attempt of job `by` claimed and never settled (it died, or the
    provider did not answer), taken over for this attempt; None when it is not that.

    RQ runs one job id once at a time, so that attempt is over: but it may have sent.
    """
    message = _fresh(session, message_id)
    if by is None or message is None or message.status != S.SENDING or message.claimed_by != by:
        return None
    return _take_over(session, message, by)


def take_stuck(session: Session, message_id: int, before: datetime, by: str) -> Message | None:
    """The row, taken over by `by` if it is still "sending" on a claim made before `before`."""
    message = _fresh(session, message_id)
    if message is None or message.status != S.SENDING or (
            message.claimed_at is not None and message.claimed_at >= before):
        return None
    return _take_over(session, message, by)


def _take_over(session: Session, message: Message, by: str) -> Message | None:
    seen = message.claimed_at
    unchanged = Message.claimed_at.is_(None) if seen is None else Message.claimed_at == seen
    taken = _move(session, message.id, {S.SENDING}, unchanged, claimed_by=by, claimed_at=utcnow())
    session.commit()
    return _fresh(session, message.id) if taken else None


def stuck(session: Session, before: datetime, limit: int) -> list[int]:
    """Rows "sending" on a claim made before `before`, oldest first."""
    query = (select(Message.id).where(Message.direction == Direction.OUT, Message.status == S.SENDING,
                                      (Message.claimed_at < before) | Message.claimed_at.is_(None))
             .order_by(Message.claimed_at).limit(limit))
    found = list(session.scalars(query))
    session.commit()
    return found


def known_ids(session: Session, message: Message) -> set[str]:
    """Provider ids other rows with the same number and body hold: not this row's to adopt."""
    return set(session.scalars(select(Message.provider_id).where(
        Message.number == message.number, Message.body == message.body, Message.id != message.id,
        Message.provider_id.is_not(None))))


def no_provider(session: Session, message_id: int, by: str | None, why: MessageStatus = S.NO_PROVIDER) -> None:
    """Leave a row claimed by `by` visibly unsent: no SMS provider is configured for its
    number (NO_PROVIDER), or no route covers it (NO_ROUTE)."""
    _move(session, message_id, {S.SENDING}, Message.claimed_by == by, status=why, claimed_by=None)
    session.commit()


def sent(session: Session, message: Message, provider: str, provider_id: str) -> None:
    """Record the provider's id at once: from now on nothing can send this row again."""
    one_statement(session)
    _SENT.rows(session.connection(), {"message_id": message.id, "provider": provider,
                                         "provider_id": provider_id, "now": utcnow()})
    session.commit()


_SENT = Lean(update(_MESSAGES).where(_MESSAGES.c.id == bindparam("message_id")).values(
    provider=bindparam("provider"), provider_id=bindparam("provider_id"), sent_at=bindparam("now"),
    error_code=None, error=None, updated_at=bindparam("now"),
    # A delivery report that found the row by its reference may already be further on.
    status=case((or_(_MESSAGES.c.status == S.SENDING, _MESSAGES.c.status == S.PENDING), S.QUEUED.value),
                else_=_MESSAGES.c.status)))
"""`sent`'s statement, built once (every send runs it)."""


def give_back(session: Session, message: Message, code: str | None, error: str) -> None:
    """Return a claimed row to "pending" after a failure that may pass, for the retry."""
    _move(session, message.id, {S.SENDING}, status=S.PENDING, error_code=code, error=error,
          claimed_by=None, claimed_at=None)
    session.commit()


def fail(session: Session, message: Message, code: str | None, error: str, *,
         unsubscribed: bool = False) -> None:
    """Mark the row failed for good, on the ticket's timeline too; an unsubscribed number
    is recorded as opted out so nothing is queued for it again."""
    _move(session, message.id, {S.SENDING, S.PENDING}, status=S.FAILED, error_code=code, error=error)
    if unsubscribed:
        opt_out(session, message.number, OptOutSource.TWILIO)
    if message.ticket is not None:
        record(message.ticket, Event.SMS_FAILED, note=error, message=message.id,
               purpose=message.purpose, code=code)
    session.commit()


def record_delivery(session: Session, provider_id: str, status: MessageStatus,
                    error_code: str | None = None, ref: str | None = None) -> Message | None:
    """Apply a delivery report; one that arrives late (older than what we know) changes nothing.

    `ref` is our message id carried by the report's URL: it finds a row whose send job
    died before storing the provider's id. Commits; None when no row matches.
    """
    message = _reported(session, provider_id, ref)
    if message is None:
        return None
    if message.provider_id is None:
        message.provider_id = provider_id  # found by its reference: now it has its id
    behind = {s for s, rank in DELIVERY_ORDER.items() if rank < DELIVERY_ORDER[status]}
    values: dict[str, object] = {"status": status}
    if error_code:
        values["error_code"] = error_code
    moved = _move(session, message.id, behind, **values)
    if moved and status in (S.FAILED, S.UNDELIVERED) and message.ticket is not None:
        record(message.ticket, Event.SMS_UNDELIVERED, message=message.id, purpose=message.purpose,
               status=status.value, code=error_code)
    session.commit()
    return message


def _reported(session: Session, provider_id: str, ref: str | None) -> Message | None:
    message = session.scalar(select(Message).where(Message.provider_id == provider_id))
    reference = row_id(ref)
    if message is not None or reference is None:
        return message
    return session.scalar(select(Message).where(
        Message.id == reference, Message.direction == Direction.OUT, Message.provider_id.is_(None)))
