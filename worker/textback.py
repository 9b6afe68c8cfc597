"""Text-back jobs: the result to the citizen after an answer, then the survey a minute later.

The rules (who can be texted, when a survey is due, what waits for a follow-up call) are
models.textback's; these jobs run them once each and schedule the survey so that it arrives
second. `worker.surveys` sends any survey Redis lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError

from models import textback
from models.locking import locked_ticket
from models.runtime import current
from worker import context
from worker.queues import NOTIFICATIONS, queue

log = logging.getLogger(__name__)

SURVEY_DELAY = timedelta(seconds=60)
"""How long after the result the survey goes: so that it arrives second."""


def text_back(ticket_id: int) -> None:
    """The job after a result: text it to the citizen (or record that it waits), once."""
    runtime = current()
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        if ticket is None or ticket.result_text is None:
            return
        texted = textback.text_result(session, ticket, runtime.now())
        session.commit()
        code, round_ = ticket.code, ticket.reopens
    if texted:
        _schedule_survey(runtime.redis, ticket_id, code, round_)
    log.info("result texted" if texted else "result not texted (done before, or it waits for a call)",
             extra={"ticket": code, "rq_job": context.job_id()})


def _schedule_survey(redis: Redis, ticket_id: int, code: str, round_: int) -> None:
    """A reopened ticket is surveyed again: each round's survey job has its own id."""
    job_id = f"survey-{ticket_id}" + (f"-{round_}" if round_ else "")
    try:
        queue(redis, NOTIFICATIONS).enqueue_in(SURVEY_DELAY, send_survey, ticket_id,
                                               job_id=job_id, unique=True)
    except DuplicateJobError:
        pass
    except RedisError as exc:
        log.warning("could not schedule the survey, the sweep will send it",
                    extra={"ticket": code, "error": str(exc)})


def send_survey(ticket_id: int) -> None:
    """Text the citizen the survey ("reply 1 to 5"), once, if the ticket still awaits one."""
    with current().session() as session:
        ticket = locked_ticket(session, ticket_id)
        if ticket is None:
            return
        due = textback.queue_survey(session, ticket)
        session.commit()
        log.info("survey texted" if due else "no survey due",
                 extra={"ticket": ticket.code, "rq_job": context.job_id()})
