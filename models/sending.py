"""An outbound SMS after it is queued: claimed by one send job, sent, given back or failed,
then moved forward by delivery reports, never backwards."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.messages import DELIVERY_ORDER, Direction, Message, MessageStatus, OptOutSource
from models.optouts import opt_out
from models.outgoing import barred
from models.tickets import record

S = MessageStatus


def _move(session: Session, message_id: int, sources: set[MessageStatus], **values: object) -> bool:
    """Change the row only if its status is still one of `sources`: one writer wins."""
    statement = (update(Message).where(Message.id == message_id, Message.status.in_(sources))
                 .values(updated_at=utcnow(), **values))
    return session.execute(statement).rowcount == 1


def claim(session: Session, message_id: int) -> Message | None:
    """Take a pending row for one send attempt and commit; None when it is not ours to send.

    A row is sent only from "pending", so a retried or concurrent job finds it claimed
    (or sent) and sends nothing; a number that opted out since is never texted (but for
    the confirmation of that opt-out).
    """
    message = session.get(Message, message_id)
    if message is None or message.status != S.PENDING:
        return None
    target = S.OPTED_OUT if barred(session, message.number, message.purpose) else S.SENDING
    taken = _move(session, message_id, {S.PENDING}, status=target)
    session.commit()
    return message if taken and target is S.SENDING else None


def no_provider(session: Session, message_id: int) -> None:
    """Leave a pending row visibly unsent: no SMS provider is configured."""
    _move(session, message_id, {S.PENDING}, status=S.NO_PROVIDER)
    session.commit()


def sent(session: Session, message: Message, provider: str, provider_id: str) -> None:
    """Record the provider's id at once: from now on nothing can send this row again."""
    session.execute(update(Message).where(Message.id == message.id).values(
        provider=provider, provider_id=provider_id, sent_at=utcnow(), error_code=None, error=None))
    # A delivery report that found the row by its reference may already be further on.
    _move(session, message.id, {S.SENDING, S.PENDING}, status=S.QUEUED)
    session.commit()


def give_back(session: Session, message: Message, code: str | None, error: str) -> None:
    """Return a claimed row to "pending" after a failure that may pass, for the retry."""
    _move(session, message.id, {S.SENDING}, status=S.PENDING, error_code=code, error=error)
    session.commit()


def fail(session: Session, message: Message, code: str | None, error: str, *,
         unsubscribed: bool = False) -> None:
    """Mark the row failed for good, on the ticket's timeline too; an unsubscribed number
    is recorded as opted out so nothing is queued for it again."""
    _move(session, message.id, {S.SENDING, S.PENDING}, status=S.FAILED, error_code=code, error=error)
    if unsubscribed:
        opt_out(session, message.number, OptOutSource.TWILIO)
    if message.ticket is not None:
        record(message.ticket, "sms_failed", note=error, message=message.id,
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
        record(message.ticket, "sms_undelivered", message=message.id, purpose=message.purpose,
               status=status.value, code=error_code)
    session.commit()
    return message


def _reported(session: Session, provider_id: str, ref: str | None) -> Message | None:
    message = session.scalar(select(Message).where(Message.provider_id == provider_id))
    if message is not None or not (ref and ref.isdigit()):
        return message
    return session.scalar(select(Message).where(
        Message.id == int(ref), Message.direction == Direction.OUT, Message.provider_id.is_(None)))
