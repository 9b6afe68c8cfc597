"""Text-back: the citizen gets the result by SMS, then the survey ("reply 1 to 5").

A landline or withheld caller cannot be texted: the timeline records that the result waits
for their follow-up call; so it does when the provider refuses the result text for good
(an unsubscribed or invalid number), and then no survey follows. The survey goes out a
minute after the result, once the provider took the result, so it arrives second;
`worker.surveys` sends any survey Redis lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import notices
from models.messages import Message, MessageStatus, Purpose
from models.outgoing import queue_text
from models.tickets import Ticket, TicketStatus, record
from worker import context
from worker.locking import locked_ticket
from worker.queues import NOTIFICATIONS, queue
from worker.timeline import has_event

log = logging.getLogger(__name__)

RESULT_TEXTED = "result_texted"
"""Timeline event: the result was written as an SMS to the citizen."""
RESULT_WAITS = "result_waits"
"""Timeline event: the result cannot be texted (no mobile, or the text was refused for
good); it waits for the citizen's follow-up call."""
RESULT_TOLD = "result_told"
"""Timeline event (the voice follow-up writes it): a call read a waiting result to the citizen."""
TAKEN = frozenset({MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED})
"""Statuses of a result text the provider took: the survey may follow it."""
LOST = frozenset({MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.OPTED_OUT,
                  MessageStatus.NO_PROVIDER, MessageStatus.NO_ROUTE})
"""Statuses of a result text that will never reach the citizen."""
SURVEY_DELAY = timedelta(seconds=60)
"""How long after the result the survey goes: so that it arrives second."""
RESULT_MAX = 670
"""Characters of the official's result we text: ten UCS-2 segments, Twilio allows 1,600."""


def text_back(ticket_id: int) -> None:
    """The job after a result: text it to the citizen (or record that it waits), once."""
    runtime = context.current()
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        if ticket is None or ticket.result_text is None:
            return
        if has_event(session, ticket_id, RESULT_TEXTED, RESULT_WAITS):
            return  # an earlier run did it
        texted = _text_result(session, ticket, context.now())
        session.commit()
        code = ticket.code
    if texted:
        _schedule_survey(runtime.redis, ticket_id, code)
    log.info("result texted" if texted else "result waits for a call",
             extra={"ticket": code, "rq_job": context.job_id()})


def _text_result(session: Session, ticket: Ticket, now: datetime) -> bool:
    if not ticket.can_receive_sms or ticket.caller is None:
        record(ticket, RESULT_WAITS, at=now, caller_kind=ticket.caller_kind,
               note="no mobile number: the result waits for the citizen's follow-up call")
        return False
    body = notices.render("result", ticket.language, code=ticket.code,
                          result=notices.clip(ticket.result_text, RESULT_MAX))
    message = queue_text(session, number=ticket.caller, body=body, purpose=Purpose.RESULT, ticket=ticket)
    session.flush()
    record(ticket, RESULT_TEXTED, at=now, message=message.id, status=message.status)
    return True


def result_not_texted(session: Session, message: Message, code: str | None) -> None:
    """The result text `message` will never reach the citizen: record, once, that the
    result waits for their follow-up call (and so no survey goes out). Commit is the caller's."""
    ticket = message.ticket
    if ticket is None or has_event(session, ticket.id, RESULT_WAITS):
        return
    record(ticket, RESULT_WAITS, caller_kind=ticket.caller_kind, message=message.id, code=code,
           note="the result text did not reach the citizen: it waits for their follow-up call")


def _schedule_survey(redis: Redis, ticket_id: int, code: str) -> None:
    try:
        queue(redis, NOTIFICATIONS).enqueue_in(SURVEY_DELAY, send_survey, ticket_id,
                                               job_id=f"survey-{ticket_id}", unique=True)
    except DuplicateJobError:
        pass
    except RedisError as exc:
        log.warning("could not schedule the survey, the sweep will send it",
                    extra={"ticket": code, "error": str(exc)})


def send_survey(ticket_id: int) -> None:
    """Text the citizen the survey ("reply 1 to 5"), once, if the ticket still awaits one."""
    runtime = context.current()
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        if ticket is None:
            return
        due = _survey_due(session, ticket)
        if due:
            body = notices.render("survey", ticket.language, code=ticket.code)
            queue_text(session, number=ticket.caller, body=body, purpose=Purpose.SURVEY, ticket=ticket)
            session.commit()
        log.info("survey texted" if due else "no survey due",
                 extra={"ticket": ticket.code, "rq_job": context.job_id()})


def _survey_due(session: Session, ticket: Ticket) -> bool:
    """True when no survey went yet and the result text went ahead of it; a result text
    that will never arrive is recorded as waiting instead."""
    if (ticket.status != TicketStatus.RESOLVED or not has_event(session, ticket.id, RESULT_TEXTED)
            or has_event(session, ticket.id, RESULT_WAITS)):
        return False
    result = session.scalars(select(Message).where(Message.ticket_id == ticket.id,
                                                   Message.purpose == Purpose.RESULT)
                             .order_by(Message.id.desc())).first()
    if result is not None and result.status in LOST:
        result_not_texted(session, result, result.error_code)
        session.commit()
        return False
    sent = select(Message.id).where(Message.ticket_id == ticket.id, Message.purpose == Purpose.SURVEY)
    return result is not None and _went_ahead(result) and not session.scalar(select(exists(sent)))


def _went_ahead(result: Message) -> bool:
    """The provider took the result text, or its first try is still ahead of the survey's
    in the queue; one waiting out a retry would arrive after it (the sweep sends it later)."""
    untried = result.status == MessageStatus.PENDING and result.error_code is None
    return result.status in TAKEN or untried
