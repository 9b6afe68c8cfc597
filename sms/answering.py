"""The answer job: an inbound text read and acted on, and its reply queued as an SMS, once.

The webhook only stored the message (Twilio is answered at once with an empty TwiML); here
the rules of sms/replies.py run, and their effect (a ticket, an opt-out, an official's
answer ...) is committed in one transaction with the reply and the work to send it.
One number's texts are answered one at a time and in the order they came, each as of the
moment it came: a text that waited in the queue still joins the complaint it followed.
The workers run it as the outbox's `answer_sms` work (foad.jobs names it).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models import inbox
from models.intake import IntakeRules
from models.messages import Message
from models.runtime import current
from sms.replies import reply_to

log = logging.getLogger(__name__)


def answer_sms(message_id: int) -> None:
    """Answer inbound message `message_id` unless it was answered, and first any earlier
    text of its sender still waiting; safe to run twice or at once (the sender is held,
    the messages locked, and a stored reply says a message was decided)."""
    runtime = current()
    rules = IntakeRules.from_settings(runtime.settings)
    with runtime.session() as session:
        number = inbox.hold_sender(session, message_id)
        waiting = inbox.unanswered(session, message_id, number) if number is not None else []
        link_base = runtime.settings.public_base_url
        answered = [(message, _answer(session, message, rules, link_base)) for message in waiting]
        # One transaction: if any of them fails, none is answered and the retry starts afresh.
        session.commit()
    for message, text in answered:
        log.info("sms answered", extra={
            "ticket": message.ticket.code if message.ticket else None,
            "message_sid": message.provider_id, "reply": text.id if text else None})


def _answer(session: Session, message: Message, rules: IntakeRules, link_base: str) -> Message | None:
    """Decide one message's reply and queue it: the reply's row, None for no reply."""
    reply = reply_to(session, message, rules, link_base)
    return inbox.answer(session, message, reply.text, reply.purpose, reply.carried)
