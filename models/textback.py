"""The result back to the citizen, then the survey: the rules the jobs and the calls follow.

Each round of a ticket (a reopened one starts another) has its own result text and survey:
the rules ask about the events since the last reopening (models.timeline.in_round).
A landline or withheld caller cannot be texted: the timeline records that the result waits
for their follow-up call; so it does when the provider refuses the result text for good
(an unsubscribed or invalid number), and then no survey follows. A follow-up call that reads
a waiting result records `result_told`, and the survey timeout counts from then. A resolved
ticket closes when the citizen answers the survey, or once the timeout passes unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from models import actions, notices
from models.events import Event
from models.locking import locked_ticket
from models.messages import Message, MessageStatus, Purpose
from models.outgoing import queue_text
from models.phones import Caller
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus, record
from models.timeline import in_round, round_events

TAKEN = frozenset({MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED})
"""Statuses of a result text the provider took: the survey may follow it."""
LOST = frozenset({MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.OPTED_OUT,
                  MessageStatus.NO_PROVIDER, MessageStatus.NO_ROUTE})
"""Statuses of a result text that will never reach the citizen."""
RESULT_MAX = 670
"""Characters of the official's result we text: ten UCS-2 segments, Twilio allows 1,600."""
SURVEY_LOST_AFTER = timedelta(minutes=10)
"""A survey still unsent this long after its result was texted was lost: send it now."""


def text_result(session: Session, ticket: Ticket, now: datetime) -> bool:
    """Queue the result text to the citizen, or record that it waits for their call; True
    when it was queued. Once per ticket: False, doing nothing, when either was done."""
    if in_round(session, ticket.id, Event.RESULT_TEXTED, Event.RESULT_WAITS):
        return False
    if not ticket.can_receive_sms or ticket.caller is None:
        record(ticket, Event.RESULT_WAITS, at=now, caller_kind=ticket.caller_kind,
               note="no mobile number: the result waits for the citizen's follow-up call")
        return False
    body = notices.render("result", ticket.language, code=ticket.code,
                          result=notices.clip(ticket.result_text, RESULT_MAX))
    message = queue_text(session, number=ticket.caller, body=body, purpose=Purpose.RESULT, ticket=ticket)
    session.flush()
    record(ticket, Event.RESULT_TEXTED, at=now, message=message.id, status=message.status)
    return True


def result_not_texted(session: Session, message: Message, code: str | None) -> None:
    """The result text `message` will never reach the citizen: record, once, that the
    result waits for their follow-up call (and so no survey goes out). Commit is the caller's."""
    ticket = message.ticket
    if ticket is None or in_round(session, ticket.id, Event.RESULT_WAITS):
        return
    record(ticket, Event.RESULT_WAITS, caller_kind=ticket.caller_kind, message=message.id, code=code,
           note="the result text did not reach the citizen: it waits for their follow-up call")


def queue_survey(session: Session, ticket: Ticket) -> bool:
    """Queue the survey ("reply 1 to 5") if it is due; True when it was. A result text
    found lost meanwhile is recorded as waiting instead. Commit is the caller's."""
    if not _survey_due(session, ticket):
        return False
    body = notices.render("survey", ticket.language, code=ticket.code)
    queue_text(session, number=ticket.caller, body=body, purpose=Purpose.SURVEY, ticket=ticket)
    return True


def _survey_due(session: Session, ticket: Ticket) -> bool:
    """True when no survey went after the latest result text, and that text went ahead of it."""
    if (ticket.status != TicketStatus.RESOLVED or not in_round(session, ticket.id, Event.RESULT_TEXTED)
            or in_round(session, ticket.id, Event.RESULT_WAITS)):
        return False
    result = session.scalars(select(Message).where(Message.ticket_id == ticket.id,
                                                   Message.purpose == Purpose.RESULT)
                             .order_by(Message.id.desc())).first()
    if result is not None and result.status in LOST:
        result_not_texted(session, result, result.error_code)
        return False
    if result is None:
        return False
    sent = select(Message.id).where(Message.ticket_id == ticket.id, Message.purpose == Purpose.SURVEY,
                                    Message.id > result.id)
    return _went_ahead(result) and not session.scalar(select(exists(sent)))


def _went_ahead(result: Message) -> bool:
    """The provider took the result text, or its first try is still ahead of the survey's
    in the queue; one waiting out a retry would arrive after it (the sweep sends it later)."""
    untried = result.status == MessageStatus.PENDING and result.error_code is None
    return result.status in TAKEN or untried


def lost_surveys(session: Session, now: datetime, limit: int) -> list[int]:
    """Resolved tickets whose result was texted SURVEY_LOST_AFTER ago (in this round) and
    whose survey never went after that result text."""
    texted = round_events(Ticket.id, Event.RESULT_TEXTED).where(TicketEvent.at <= now - SURVEY_LOST_AFTER)
    results = aliased(Message)
    result = (select(func.max(results.id)).where(results.ticket_id == Message.ticket_id,
                                                 results.purpose == Purpose.RESULT).scalar_subquery())
    sent = select(Message.id).where(Message.ticket_id == Ticket.id, Message.purpose == Purpose.SURVEY,
                                    Message.id > result)
    return list(session.scalars(select(Ticket.id).where(
        Ticket.status == TicketStatus.RESOLVED, exists(texted),
        ~exists(round_events(Ticket.id, Event.RESULT_WAITS)), ~exists(sent)).limit(limit)))


def _unanswered_query(now: datetime, timeout: timedelta):
    """Resolved tickets nobody scored (in this round) within `timeout` of the result reaching
    the citizen: when it was resolved (and texted), or, for a result that waited, when a
    call read it."""
    answered = select(SurveyAnswer.id).where(SurveyAnswer.ticket_id == Ticket.id,
                                             SurveyAnswer.round >= Ticket.reopens)
    told_at = round_events(Ticket.id, Event.RESULT_TOLD, what=func.min(TicketEvent.at)).scalar_subquery()
    reached_at = case((exists(round_events(Ticket.id, Event.RESULT_WAITS)), told_at), else_=Ticket.resolved_at)
    return select(Ticket.id).where(Ticket.status == TicketStatus.RESOLVED, reached_at <= now - timeout,
                                   ~exists(answered))


def unanswered(session: Session, now: datetime, timeout: timedelta, limit: int) -> list[int]:
    """Resolved tickets whose survey went unanswered for `timeout`."""
    return list(session.scalars(_unanswered_query(now, timeout).limit(limit)))


def close_unanswered(session: Session, ticket_id: int, now: datetime, timeout: timedelta) -> Ticket | None:
    """Close the ticket if it is still unanswered (locked: an answer may have come
    meanwhile); the ticket if this closed it. Commits."""
    ticket = locked_ticket(session, ticket_id)
    still = _unanswered_query(now, timeout).where(Ticket.id == ticket_id)
    if ticket is None or session.scalar(still) is None:
        session.rollback()
        return None  # answered, closed, or its result still waits, meanwhile
    actions.close(session, ticket, actor="system", at=now)
    return ticket


@dataclass(frozen=True)
class OwnResult:
    """The result of a caller's own ticket, as a follow-up call tells it."""

    ticket_id: int
    code: str
    text: str
    language: str
    resolved_at: datetime
    waiting: bool
    """True while a result that could not be texted has not been told yet."""


def own_result(session: Session, ticket: Ticket, caller: Caller) -> OwnResult | None:
    """The ticket's result if `caller` is its complainant and it has one; None otherwise."""
    if caller.e164 is None or ticket.caller != caller.e164 or not ticket.result_text:
        return None
    waiting = (in_round(session, ticket.id, Event.RESULT_WAITS)
               and not in_round(session, ticket.id, Event.RESULT_TOLD))
    return OwnResult(ticket.id, ticket.code, ticket.result_text, ticket.language,
                     ticket.resolved_at or ticket.last_step_at, waiting)


def mark_told(session: Session, ticket_id: int, call: str) -> bool:
    """Record that call `call` read the waiting result, unless a call did already; True if
    this one did. Commits."""
    ticket = locked_ticket(session, ticket_id)  # two follow-ups at once: one records it
    if ticket is None or in_round(session, ticket_id, Event.RESULT_TOLD):
        session.rollback()
        return False
    record(ticket, Event.RESULT_TOLD, actor="citizen", via="call", call=call)
    session.commit()
    return True
