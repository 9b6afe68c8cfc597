"""The answer clock's jobs: wake a ticket's clock at its reminder and deadline, and sweep.

RQ's scheduler wakes `check_clock` at the moment models.escalation asks for (the reminder;
that look asks for the deadline); the sweep (every minute) catches any ticket whose wake-up
Redis lost. The rules (remind, escalate, stuck) are models.escalation's; running either job
twice changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.deadlines import DeadlinePolicy, TicketClock, policy
from models.escalation import SLACK, Outcome, check, wake_ups
from models.runtime import current
from models.tickets import Ticket
from worker import context
from worker.queues import ROUTING, queue

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
"""Clocks the sweep handles in one run; the next run takes the rest."""


def schedule(redis: Redis, ticket_id: int, outcome: Outcome) -> None:
    """Ask RQ's scheduler to wake the clock at each moment; the sweep covers any failure."""
    for job_id, moment in outcome.wake:
        try:
            queue(redis, ROUTING).enqueue_at(moment, check_clock, ticket_id, job_id=job_id,
                                             unique=True, result_ttl=3600, failure_ttl=86400)
        except DuplicateJobError:
            pass  # already scheduled by an earlier run of the same step
        except RedisError as exc:
            log.warning("could not schedule the clock, the sweep will catch it",
                        extra={"ticket": outcome.code, "wake": job_id, "error": str(exc)})


def check_clock(ticket_id: int) -> None:
    """The job RQ's scheduler runs at a ticket's reminder and deadline."""
    runtime = current()
    with runtime.session() as session:
        rules = policy(session, runtime.settings)
        outcome = check(session, ticket_id, runtime.now(), rules,
                        link_base=runtime.settings.public_base_url)
        code = outcome.code or session.scalar(select(Ticket.code).where(Ticket.id == ticket_id))
    schedule(runtime.redis, ticket_id, outcome)
    log.info("clock checked", extra={"ticket": code, "action": outcome.action,
                                     "rq_job": context.job_id()})


def wake_clock(ticket_id: int) -> None:
    """The outbox job after a clock was (re)started outside a worker (a reopened ticket):
    ask RQ's scheduler for its next wake-up. Running it twice asks twice, and RQ keeps one."""
    runtime = current()
    with runtime.session() as session:
        ticket = session.get(Ticket, ticket_id)
        clock = session.get(TicketClock, ticket_id)
        if ticket is None or clock is None or clock.next_at is None:
            session.rollback()
            return
        outcome = wake_ups(ticket, clock)
        session.commit()
    schedule(runtime.redis, ticket_id, outcome)
    log.info("clock wake-up scheduled", extra={"ticket": outcome.code, "rq_job": context.job_id()})


def sweep_deadlines() -> int:
    """The periodic job: act on every clock that is due, whether or not Redis woke it."""
    runtime = current()
    now = runtime.now()
    with runtime.session() as session:
        due = session.scalars(select(TicketClock.ticket_id).where(TicketClock.next_at <= now + SLACK)
                              .order_by(TicketClock.next_at).limit(SWEEP_BATCH)).all()
        rules = policy(session, runtime.settings)
        acted = 0
        for ticket_id in due:
            outcome = _check_safely(session, ticket_id, now, rules, runtime.settings.public_base_url)
            schedule(runtime.redis, ticket_id, outcome)
            acted += outcome.action not in ("none", "failed")
    # Every minute: news only when it did something.
    log.log(logging.INFO if acted else logging.DEBUG, "deadline sweep",
            extra={"due": len(due), "acted": acted, "rq_job": context.job_id()})
    return acted


def _check_safely(session: Session, ticket_id: int, now: datetime, rules: DeadlinePolicy,
                  link_base: str) -> Outcome:
    """One ticket of the sweep: whatever goes wrong with it is logged, and the sweep goes on."""
    try:
        return check(session, ticket_id, now, rules, link_base=link_base)
    except Exception:
        session.rollback()
        log.exception("deadline check failed; the next sweep tries again", extra={"ticket_id": ticket_id})
        return Outcome("failed")
