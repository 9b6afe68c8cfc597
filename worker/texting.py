"""The send job: one outbound SMS row through the configured provider, at most once.

A row is claimed before it is sent and the provider's id stored at once. A send may still
end without either (the work horse killed, the provider silent until the timeout): such a
row stays "sending", and whoever settles it next (the same job's retry, else the sweep
here) first asks the provider whether it went out, adopting its id if it did.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import sending
from models.base import utcnow
from models.messages import Message, MessageStatus, Purpose
from models.providers import (
    NoRoute,
    OutcomeUnknown,
    PermanentSendError,
    RetryableSendError,
    SendError,
    SmsProvider,
    SmsRoutes,
    Unsubscribed,
    redact,
)
from models.runtime import current
from models.textback import result_not_texted
from worker import attempts, context, metrics

log = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=5)
"""A claim this old is stuck: longer than any live attempt can hold one (the send job's
60 s timeout, the provider's HTTP timeout); the sweep settles the row."""
GIVE_UP_AFTER = timedelta(hours=24)
"""A text not settled this long after it was written is failed for good, not sent."""
SWEEP_BATCH = 100
"""Stuck rows the sweep settles in one run; the next run takes the rest."""


def send_sms(message_id: int) -> None:
    """Send message `message_id` unless it was sent, claimed by another, or its number opted out.

    A row this job's earlier attempt claimed and never settled is looked up at the
    provider first. Failures that may pass are raised so RQ retries with backoff; refusals
    fail the row for good. With no provider for its number (FOAD_SMS_ROUTES) the row stays
    visibly "no_provider" ("no_route" when no route covers the number).
    """
    runtime = current()
    job = context.job_id()
    with runtime.session() as session:
        message = sending.claim(session, message_id, by=job)
        earlier = message is None
        if earlier:
            message = sending.resume(session, message_id, by=job)
            if message is None:
                return
        provider = _provider_for(session, runtime.sms, message, by=job)
        if provider is not None:
            (_settle if earlier else _send)(session, provider, message)


def sweep_sending() -> int:
    """The periodic job: settle rows left "sending" longer than STUCK_AFTER (adopt what the
    provider took, send the rest, fail what GIVE_UP_AFTER did not settle); how many."""
    runtime = current()
    router = runtime.sms
    holder, settled = f"sweep:{context.job_id()}", 0
    with runtime.session() as session:
        found = sending.stuck(session, utcnow() - STUCK_AFTER, SWEEP_BATCH)
        for message_id in found:
            provider = _routed(router, session.scalar(select(Message.number).where(Message.id == message_id)))
            message = provider and sending.take_stuck(session, message_id, utcnow() - STUCK_AFTER, holder)
            if message:
                settled += _settle_safely(session, provider, message)
    log.log(logging.INFO if found else logging.DEBUG, "sending sweep",
            extra={"stuck": len(found), "settled": settled, "rq_job": context.job_id()})
    return settled


def _provider_for(session: Session, router: SmsRoutes | None, message: Message, by: str | None) -> SmsProvider | None:
    """The provider for the claimed row's number; None, the row marked unsent, when there is none."""
    try:
        provider = router.for_number(message.number) if router else None
    except NoRoute:
        sending.no_provider(session, message.id, by, MessageStatus.NO_ROUTE)
        log.warning("no SMS route for the number (FOAD_SMS_ROUTES); message left unsent",
                    extra={"message_id": message.id, "to": redact(message.number)})
        return None
    if provider is None:
        sending.no_provider(session, message.id, by)
        log.warning("no SMS provider configured; message left unsent", extra={"message_id": message.id})
    return provider


def _routed(router: SmsRoutes | None, number: str | None) -> SmsProvider | None:
    """The provider for a stuck row's number (which a provider already took, or not)."""
    try:
        return router.for_number(number) if router and number else None
    except NoRoute:
        return None


def _settle_safely(session: Session, provider: SmsProvider, message: Message) -> bool:
    """One row of the sweep; a failure is logged and leaves the row to the next sweep."""
    try:
        _settle(session, provider, message, sweep=True)
    except Exception:
        session.rollback()
        log.exception("could not settle a stuck sms", extra=_context(message))
        return False
    return True


def _settle(session: Session, provider: SmsProvider, message: Message, *, sweep: bool = False) -> None:
    """Adopt the provider's id if an earlier attempt's send went out, else send it now."""
    give_up = sweep and message.created_at < utcnow() - GIVE_UP_AFTER
    try:
        exclude = sending.known_ids(session, message)
        session.commit()  # no transaction open while the provider looks (see _send)
        sid = message.provider_id or provider.find_sent(message.number, message.body, message.created_at,
                                                        exclude=exclude)
    except RetryableSendError as exc:
        if not give_up:
            return _not_now(session, provider, message, exc, sweep=sweep, maybe_sent=True)
        sid = None
    if sid is not None:
        sending.sent(session, message, provider.name, sid)
        metrics.TEXTS.labels(provider.name, "sent").inc()
        log.info("sms found at the provider, adopted", extra={**_context(message), "message_sid": sid})
    elif give_up:
        _fail(session, provider, message, None, f"not settled in {GIVE_UP_AFTER}: the provider has no such message")
        log.error("sms given up, never confirmed", extra=_context(message))
    else:
        _send(session, provider, message, sweep=sweep)


def _send(session: Session, provider: SmsProvider, message: Message, *, sweep: bool = False) -> None:
    extra = _context(message)
    session.commit()  # no transaction open while the provider works: on SQLite it would hold
    # the one write lock, which the SMPP link needs for its journal of what it hands over
    try:
        sid = provider.send(message.number, message.body, str(message.id))
    except PermanentSendError as exc:
        _fail(session, provider, message, exc.code, exc.detail, unsubscribed=isinstance(exc, Unsubscribed))
        log.warning("sms refused for good", extra={**extra, "code": exc.code})
        return
    except RetryableSendError as exc:
        return _not_now(session, provider, message, exc, sweep=sweep,
                        maybe_sent=isinstance(exc, OutcomeUnknown))
    # Any other exception leaves the row claimed: the retry or the sweep asks the provider.
    sending.sent(session, message, provider.name, sid)
    metrics.TEXTS.labels(provider.name, "sent").inc()
    log.info("sms sent", extra={**extra, "message_sid": sid})


def _not_now(session: Session, provider: SmsProvider, message: Message, exc: SendError, *, sweep: bool,
             maybe_sent: bool) -> None:
    """A failure that may pass: try again (RQ's backoff, or the next sweep), or give up.

    A row that may have gone out stays claimed, so that the next try asks the provider.
    """
    extra = {**_context(message), "code": exc.code, "error": exc.detail}
    if sweep:
        log.warning("sms not settled, the next sweep tries again", extra=extra)
    elif not attempts.is_last():
        if not maybe_sent:
            sending.give_back(session, message, exc.code, exc.detail)
        log.warning("sms send failed, will retry", extra=extra)
        raise exc
    elif maybe_sent:
        log.error("sms outcome unknown after the last retry; the sweep settles it", extra=extra)
    else:
        _fail(session, provider, message, exc.code, f"gave up after retries: {exc.detail}")
        log.error("sms not sent, retries exhausted", extra=extra)


def _fail(session: Session, provider: SmsProvider, message: Message, code: str | None, error: str, *,
          unsubscribed: bool = False) -> None:
    """Fail the row for good; a citizen's result that cannot be texted waits for their call
    (should that second step not happen, the survey job records it on seeing the row)."""
    sending.fail(session, message, code, error, unsubscribed=unsubscribed)
    metrics.TEXTS.labels(provider.name, "failed").inc()
    if message.purpose == Purpose.RESULT:
        result_not_texted(session, message, code)
        session.commit()


def _context(message: Message) -> dict[str, object]:
    # The send job knows its ticket's code (context.about); the sweep loads the ticket.
    code = context.ticket_code() or (message.ticket.code if message.ticket else None)
    return {"message_id": message.id, "ticket": code, "to": redact(message.number),
            "purpose": message.purpose}
