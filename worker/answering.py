"""The answer job: an inbound text read and acted on, and its reply queued as an SMS, once.

The webhook only stored the message (Twilio is answered at once with an empty TwiML); here
the rules of sms/replies.py run, and their effect (a ticket, an opt-out, an official's
answer ...) is committed in one transaction with the reply and the work to send it.
"""

from __future__ import annotations

import logging

from models import inbox
from models.intake import IntakeRules
from sms.replies import reply_to
from worker import context

log = logging.getLogger(__name__)


def answer_sms(message_id: int) -> None:
    """Answer inbound message `message_id` unless it was answered; safe to run twice or at
    once (the message row is locked, and its stored reply says it was decided)."""
    runtime = context.current()
    rules = IntakeRules.from_settings(runtime.settings)
    with runtime.session() as session:
        message = inbox.unanswered(session, message_id)
        if message is None:
            return  # answered by an earlier run
        reply = reply_to(session, message, rules)
        text = inbox.answer(session, message, reply.text, reply.purpose)
        session.commit()
        extra = {"ticket": message.ticket.code if message.ticket else None,
                 "message_sid": message.provider_id, "reply": text.id if text else None,
                 "rq_job": context.job_id()}
    log.info("sms answered", extra=extra)
