"""The send job: one outbound SMS row through the configured provider, at most once."""

from __future__ import annotations

import logging

from models import sending
from models.messages import Message
from sms import providers
from sms.providers.base import PermanentSendError, RetryableSendError, SmsProvider, Unsubscribed, redact
from worker import attempts, context

log = logging.getLogger(__name__)


def send_sms(message_id: int) -> None:
    """Send message `message_id` unless it was sent, claimed, or its number opted out.

    Failures that may pass are raised so RQ retries with backoff; refusals fail the row
    for good. With no provider configured the row stays visibly "no_provider".
    """
    runtime = context.current()
    provider = providers.from_settings(runtime.settings)
    with runtime.session() as session:
        if provider is None:
            sending.no_provider(session, message_id)
            log.warning("no SMS provider configured; message left unsent", extra={"message_id": message_id})
            return
        message = sending.claim(session, message_id)
        if message is not None:
            _send(session, provider, message)


def _send(session, provider: SmsProvider, message: Message) -> None:
    extra = {"message_id": message.id, "ticket": message.ticket.code if message.ticket else None,
             "to": redact(message.number), "purpose": message.purpose}
    try:
        sid = provider.send(message.number, message.body, str(message.id))
    except PermanentSendError as exc:
        sending.fail(session, message, exc.code, exc.detail, unsubscribed=isinstance(exc, Unsubscribed))
        log.warning("sms refused for good", extra={**extra, "code": exc.code})
        return
    except RetryableSendError as exc:
        if attempts.is_last():
            sending.fail(session, message, exc.code, f"gave up after retries: {exc.detail}")
            log.error("sms not sent, retries exhausted", extra={**extra, "code": exc.code})
            return
        sending.give_back(session, message, exc.code, exc.detail)
        log.warning("sms send failed, will retry", extra={**extra, "code": exc.code})
        raise
    # Any other exception leaves the row claimed: it may have gone out, so never resend it.
    sending.sent(session, message, provider.name, sid)
    log.info("sms sent", extra={**extra, "message_sid": sid})
