"""The answer clock: remind the official at 2/3 of the time, escalate one level at the deadline.

RQ's scheduler wakes `check_clock` at the reminder and at the deadline; `sweep_deadlines`
(every minute) catches any ticket whose wake-up Redis lost. Both only act on what the
ticket's clock row says is due, under a row lock, so running either twice changes nothing.
Acknowledging stops nothing: only a result (or closing the ticket) stops the clock. A ticket
that cannot climb (nobody active above it: the directory needs fixing) says so once on its
timeline and is tried again every ESCALATION_RETRY; it never holds up the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import lifecycle, notices, routing
from models.deadlines import DeadlinePolicy, TicketClock, policy
from models.lifecycle import OPEN
from models.messages import Purpose
from models.outgoing import queue_text
from models.persian import jalali
from models.routing import NobodyToRefer
from models.tickets import Ticket, TicketStatus, record
from worker import context
from worker.locking import locked_ticket
from worker.queues import ROUTING, queue

log = logging.getLogger(__name__)

REMINDER_SENT = "reminder_sent"
"""Timeline event: the official was reminded of the deadline."""
BREACH = "breach"
"""Timeline event: an agency missed its deadline (report cards count these per agency)."""
ESCALATION_STUCK = "escalation_stuck"
"""Timeline event: at the deadline nobody above could take the ticket (the note says why)."""
ESCALATION_RETRY = timedelta(minutes=15)
"""How often a ticket that could not climb is tried again (after the directory is fixed)."""
SLACK = timedelta(seconds=5)
"""A wake-up this early still counts: machines' clocks differ by a little."""
SWEEP_BATCH = 500
"""Clocks the sweep handles in one run; the next run takes the rest."""


@dataclass(frozen=True)
class Outcome:
    """What one look at a ticket's clock did, and what to schedule after commit."""

    action: str
    """"none", "stopped", "reminded", "escalated", "breach_at_top", "stuck" or "failed"."""
    code: str | None = None
    wake: tuple[tuple[str, datetime], ...] = ()
    """(job id, moment) of each wake-up to schedule."""


def start(session: Session, ticket: Ticket, rules: DeadlinePolicy, at: datetime,
          clock: TicketClock) -> Outcome:
    """(Re)start the ticket's clock row at `at` for its current escalation level; sets `due_at`."""
    ticket.due_at = rules.due(at)
    remind_at = rules.reminder(at)
    clock.level, clock.remind_at, clock.next_at = ticket.escalation_level, remind_at, remind_at
    session.add(clock)
    prefix = f"clock-{ticket.id}-{ticket.escalation_level}"
    return Outcome("started", ticket.code, ((f"{prefix}-remind", remind_at), (f"{prefix}-due", ticket.due_at)))


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


def check(session: Session, ticket_id: int, now: datetime, rules: DeadlinePolicy, *,
          link_base: str = "") -> Outcome:
    """Do whatever the ticket's clock says is due by `now`, and commit."""
    clock = session.scalars(select(TicketClock).where(TicketClock.ticket_id == ticket_id)
                            .with_for_update().execution_options(populate_existing=True)).first()
    if clock is None or clock.next_at is None or clock.next_at > now + SLACK:
        session.rollback()
        return Outcome("none")
    ticket = locked_ticket(session, ticket_id)
    if ticket.status not in OPEN or ticket.due_at is None:
        outcome = _stop(clock, ticket)
    elif ticket.due_at <= now + SLACK:
        outcome = _escalate(session, ticket, clock, now, rules, link_base)
    elif clock.remind_at is not None and clock.remind_at <= now + SLACK:
        outcome = _remind(session, ticket, clock, now, link_base)
    else:
        clock.next_at = min(t for t in (clock.remind_at, ticket.due_at) if t is not None)
        outcome = Outcome("none", ticket.code)
    session.commit()
    return outcome


def _stop(clock: TicketClock, ticket: Ticket) -> Outcome:
    clock.remind_at = clock.next_at = None
    return Outcome("stopped", ticket.code)


def _remind(session: Session, ticket: Ticket, clock: TicketClock, now: datetime,
            link_base: str) -> Outcome:
    body = notices.render("reminder", "fa", code=ticket.code, due=jalali(ticket.due_at),
                          link=routing.console_link(link_base, ticket.code))
    queue_text(session, number=ticket.official.mobile, body=body, purpose=Purpose.REMINDER,
               ticket=ticket)
    record(ticket, REMINDER_SENT, at=now, official=ticket.official_id, level=ticket.escalation_level)
    clock.remind_at, clock.next_at = None, ticket.due_at
    return Outcome("reminded", ticket.code)


def _escalate(session: Session, ticket: Ticket, clock: TicketClock, now: datetime,
              rules: DeadlinePolicy, link_base: str) -> Outcome:
    late = ticket.agency
    if clock.stuck_at is None:  # else the breach was recorded when it first got stuck
        record(ticket, BREACH, at=now, agency=late.code, agency_id=late.id, official=ticket.official_id,
               level=ticket.escalation_level, due_at=ticket.due_at.isoformat())
    try:
        referral = routing.escalation(session, late, ticket.province_code)
    except NobodyToRefer as exc:
        return _stuck(ticket, clock, now, str(exc))
    clock.stuck_at = None
    if referral is None:
        _stop(clock, ticket)
        return Outcome("breach_at_top", ticket.code)
    ticket.escalation_level += 1
    routing.assign(ticket, referral)
    lifecycle.move(ticket, TicketStatus.ESCALATED, at=now, agency=referral.agency.code,
                   official=referral.official.id, level=ticket.escalation_level, previous_agency=late.code)
    started = start(session, ticket, rules, now, clock)
    routing.text_official(session, ticket, "escalation", link_base=link_base)
    return Outcome("escalated", ticket.code, started.wake)


def _stuck(ticket: Ticket, clock: TicketClock, now: datetime, why: str) -> Outcome:
    """Nobody above can take the ticket: say so once, and look again in a while."""
    if clock.stuck_at is None:
        record(ticket, ESCALATION_STUCK, at=now, note=why, agency=ticket.agency.code,
               level=ticket.escalation_level)
        clock.stuck_at = now
    clock.next_at = now + ESCALATION_RETRY
    log.error("the ticket cannot climb: fix the directory", extra={"ticket": ticket.code, "why": why})
    return Outcome("stuck", ticket.code)


def check_clock(ticket_id: int) -> None:
    """The job RQ's scheduler runs at a ticket's reminder and deadline."""
    runtime = context.current()
    with runtime.session() as session:
        rules = policy(session, runtime.settings)
        outcome = check(session, ticket_id, context.now(), rules,
                        link_base=runtime.settings.public_base_url)
        code = outcome.code or session.scalar(select(Ticket.code).where(Ticket.id == ticket_id))
    schedule(runtime.redis, ticket_id, outcome)
    log.info("clock checked", extra={"ticket": code, "action": outcome.action,
                                     "rq_job": context.job_id()})


def sweep_deadlines() -> int:
    """The periodic job: act on every clock that is due, whether or not Redis woke it."""
    runtime = context.current()
    now = context.now()
    with runtime.session() as session:
        due = session.scalars(select(TicketClock.ticket_id).where(TicketClock.next_at <= now + SLACK)
                              .order_by(TicketClock.next_at).limit(SWEEP_BATCH)).all()
        rules = policy(session, runtime.settings)
        acted = 0
        for ticket_id in due:
            outcome = _check_safely(session, ticket_id, now, rules, runtime.settings.public_base_url)
            schedule(runtime.redis, ticket_id, outcome)
            acted += outcome.action not in ("none", "failed")
    log.info("deadline sweep", extra={"due": len(due), "acted": acted, "rq_job": context.job_id()})
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
