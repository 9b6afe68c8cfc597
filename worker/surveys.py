"""The survey sweep: send surveys Redis lost, and close tickets nobody scored in time.

A resolved ticket closes when the citizen answers the survey (the SMS webhook does that)
or, here, once FOAD_SURVEY_TIMEOUT_HOURS pass without an answer. A result that waits for the
citizen's follow-up call (`result_waits`) has not reached them: its ticket stays open until
a call reads it (`result_told`), and the timeout counts from that call.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Select, case, exists, func, select

from models import actions
from models.messages import Message, Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus
from worker import context
from worker.locking import locked_ticket
from worker.textback import RESULT_TEXTED, RESULT_TOLD, RESULT_WAITS, send_survey

log = logging.getLogger(__name__)

SURVEY_LOST_AFTER = timedelta(minutes=10)
"""A survey still unsent this long after its result was lost by Redis: send it now."""
SWEEP_BATCH = 500
"""Tickets each part of the sweep handles in one run; the next run takes the rest."""


def sweep_surveys() -> tuple[int, int]:
    """The periodic job: send surveys Redis lost; close tickets nobody scored in time."""
    runtime = context.current()
    now = context.now()
    lost, unanswered = _lost_surveys(now), _unanswered(now, runtime.settings.survey_timeout)
    for ticket_id in lost:
        send_survey(ticket_id)
    closed = sum(_close_unanswered(ticket_id, now, runtime.settings.survey_timeout)
                 for ticket_id in unanswered)
    log.info("survey sweep", extra={"surveys_sent": len(lost), "closed": closed,
                                    "rq_job": context.job_id()})
    return len(lost), closed


def _event(kind: str) -> Select:
    """The ticket's events of `kind` (correlated to the outer query's ticket)."""
    return select(TicketEvent.id).where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == kind)


def _lost_surveys(now: datetime) -> list[int]:
    texted = _event(RESULT_TEXTED).where(TicketEvent.at <= now - SURVEY_LOST_AFTER)
    sent = select(Message.id).where(Message.ticket_id == Ticket.id, Message.purpose == Purpose.SURVEY)
    query = select(Ticket.id).where(Ticket.status == TicketStatus.RESOLVED, exists(texted),
                                    ~exists(_event(RESULT_WAITS)), ~exists(sent)).limit(SWEEP_BATCH)
    with context.current().session() as session:
        return list(session.scalars(query))


def _unanswered_query(now: datetime, timeout: timedelta) -> Select:
    """Resolved tickets nobody scored within `timeout` of the result reaching the citizen:
    when it was resolved (and texted), or, for a result that waited, when a call read it."""
    answered = select(SurveyAnswer.id).where(SurveyAnswer.ticket_id == Ticket.id)
    told_at = (select(func.min(TicketEvent.at)).where(TicketEvent.ticket_id == Ticket.id,
                                                      TicketEvent.kind == RESULT_TOLD)
               .scalar_subquery())
    reached_at = case((exists(_event(RESULT_WAITS)), told_at), else_=Ticket.resolved_at)
    return select(Ticket.id).where(Ticket.status == TicketStatus.RESOLVED, reached_at <= now - timeout,
                                   ~exists(answered))


def _unanswered(now: datetime, timeout: timedelta) -> list[int]:
    with context.current().session() as session:
        return list(session.scalars(_unanswered_query(now, timeout).limit(SWEEP_BATCH)))


def _close_unanswered(ticket_id: int, now: datetime, timeout: timedelta) -> bool:
    with context.current().session() as session:
        ticket = locked_ticket(session, ticket_id)
        still = _unanswered_query(now, timeout).where(Ticket.id == ticket_id)
        if ticket is None or session.scalar(still) is None:
            return False  # answered, closed, or its result still waits, meanwhile
        actions.close(session, ticket, actor="system", at=now)
        log.info("closed without a survey answer", extra={"ticket": ticket.code})
        return True
