"""The survey sweep: send surveys Redis lost, and close tickets nobody scored in time.

A resolved ticket closes when the citizen answers the survey (the SMS answer job does that)
or, here, once FOAD_SURVEY_TIMEOUT_HOURS pass without an answer; a result that waited for
the citizen's follow-up call counts from that call (models.textback).
"""

from __future__ import annotations

import logging

from models import textback
from models.runtime import current
from worker import context
from worker.textback import send_survey

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
"""Tickets each part of the sweep handles in one run; the next run takes the rest."""


def sweep_surveys() -> tuple[int, int]:
    """The periodic job: send surveys Redis lost; close tickets nobody scored in time."""
    runtime = current()
    now, timeout = runtime.now(), runtime.settings.survey_timeout
    with runtime.session() as session:
        lost = textback.lost_surveys(session, now, SWEEP_BATCH)
        unanswered = textback.unanswered(session, now, timeout, SWEEP_BATCH)
    for ticket_id in lost:
        send_survey(ticket_id)
    closed = 0
    for ticket_id in unanswered:
        with runtime.session() as session:
            ticket = textback.close_unanswered(session, ticket_id, now, timeout)
            if ticket is not None:
                closed += 1
                log.info("closed without a survey answer", extra={"ticket": ticket.code})
    log.log(logging.INFO if lost or closed else logging.DEBUG, "survey sweep",
            extra={"surveys_sent": len(lost), "closed": closed, "rq_job": context.job_id()})
    return len(lost), closed
