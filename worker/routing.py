"""The routing job: refer a new ticket to its agency's official and start its clock.

A ticket whose citizen was asked where it goes (models/questions.py) waits for the answer at
most FOAD_TRIAGE_WAIT_MINUTES: the job then schedules itself for the end of the wait and
returns; an answer queues it again at once; the periodic sweep routes any ticket whose
wake-up Redis lost. The clock counts from registration whatever the wait.

A ticket nobody can take (no active official on its way up: the directory needs fixing)
says so once on its timeline, and the job fails so that RQ, then the outbox relay, tries
it again until someone can.
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy.orm import Session

from models import placing, referring, routing
from models.deadlines import policy
from models.escalation import SLACK
from models.lifecycle import OPEN
from models.locking import locked_ticket
from models.routing import NobodyToRefer
from models.runtime import current
from models.tickets import Ticket, TicketStatus
from worker import clock, context
from worker.queues import ROUTING, queue

log = logging.getLogger(__name__)

SWEEP_BATCH = 200
"""Tickets whose wait is over that one sweep routes; the next sweep takes the rest."""


def route_ticket(ticket_id: int) -> None:
    """Refer the ticket (unless already referred, or waiting for its citizen's answer) and
    start its clock (unless running)."""
    runtime = current()
    settings, now = runtime.settings, runtime.now()
    with runtime.session() as session:
        ticket, question = placing.locked_for_routing(session, ticket_id)
        if ticket is None or ticket.status not in OPEN or ticket.due_at is not None:
            return  # gone, closed, or routed by an earlier run: nothing to do
        if question is not None and _waits(session, ticket, question, now):
            return
        try:
            rule, started = referring.refer(session, ticket, policy(session, settings), now,
                                            settings.public_base_url)
        except NobodyToRefer as exc:
            _stuck(session, ticket_id, str(exc))
            raise
        session.commit()
        extra = {"ticket": ticket.code, "agency": ticket.agency.code, "official": ticket.official_id,
                 "rule": rule, "rq_job": context.job_id()}
    clock.schedule(runtime.redis, ticket_id, started)
    log.info("ticket routed", extra=extra)


def _waits(session: Session, ticket: Ticket, question: placing.OpenQuestion, now: datetime) -> bool:
    """True (and committed, and a wake-up set) while the registered ticket's citizen may still
    answer a question; else an open question's wait is over, for the referral to go on."""
    if ticket.status != TicketStatus.REGISTERED:
        return False
    runtime = current()
    until = placing.wait_or_end(session, ticket, question, runtime.settings.triage_wait, now, SLACK)
    if until is None:
        return False
    session.commit()
    _wake(runtime.redis, ticket.id, until, ticket.code)
    return True


def _wake(redis: Redis, ticket_id: int, until: datetime, code: str) -> None:
    """Run the job again when the wait ends; the sweep covers a wake-up Redis loses."""
    try:
        queue(redis, ROUTING).enqueue_at(until, route_ticket, ticket_id, unique=True,
                                         job_id=f"triage-wait-{ticket_id}-{int(until.timestamp())}",
                                         result_ttl=3600, failure_ttl=86400)
    except DuplicateJobError:
        pass  # scheduled by an earlier run
    except RedisError as exc:
        log.warning("could not schedule the end of the wait, the sweep will catch it",
                    extra={"ticket": code, "error": str(exc)})
    log.info("ticket waits for its citizen's answer", extra={"ticket": code, "until": until.isoformat(),
                                                              "rq_job": context.job_id()})


def sweep_waits() -> int:
    """The periodic job: route every ticket whose wait for an answer is over, whether or not
    Redis woke it; how many it routed."""
    runtime = current()
    with runtime.session() as session:
        due = placing.waits_over(session, runtime.now() - runtime.settings.triage_wait + SLACK, SWEEP_BATCH)
        session.commit()
    routed = sum(_route_safely(ticket_id) for ticket_id in due)
    log.log(logging.INFO if due else logging.DEBUG, "triage wait sweep",
            extra={"due": len(due), "routed": routed, "rq_job": context.job_id()})
    return routed


def _route_safely(ticket_id: int) -> bool:
    """One ticket of the sweep: whatever goes wrong with it is logged (and on its timeline when
    nobody can take it), and the sweep goes on."""
    try:
        route_ticket(ticket_id)
    except Exception:
        log.exception("routing after the wait failed; the next sweep tries again", extra={"ticket_id": ticket_id})
        return False
    return True


def _stuck(session: Session, ticket_id: int, why: str) -> None:
    """Record, once, why the ticket could not be routed (its own transaction)."""
    session.rollback()
    ticket = locked_ticket(session, ticket_id)
    if ticket is not None:
        routing.note_stuck(session, ticket, why, current().now())
    session.commit()
    log.error("nobody to route the ticket to: fix the directory",
              extra={"ticket": ticket.code if ticket else None, "why": why, "rq_job": context.job_id()})
