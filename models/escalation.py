"""The answer clock's rules: remind the official at 2/3 of the time, escalate one level at
the deadline.

Each look at a ticket acts only on what its clock row says is due, under a row lock, so
looking twice changes nothing. Acknowledging stops nothing: only a result (or closing the
ticket) stops the clock. A ticket that cannot climb (nobody active above it: the directory
needs fixing) says so once on its timeline and is looked at again every ESCALATION_RETRY.
The workers wake the clock at the moment `start` and each look return (worker/clock.py): the
reminder, then the deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import lifecycle, notices, routing
from models.deadlines import DeadlinePolicy, TicketClock
from models.events import Event
from models.lifecycle import OPEN
from models.locking import locked_ticket
from models.messages import Purpose
from models.outgoing import queue_text
from models.persian import jalali
from models.routing import NobodyToRefer
from models.tickets import Ticket, TicketStatus, record

log = logging.getLogger(__name__)

ESCALATION_RETRY = timedelta(minutes=15)
"""How often a ticket that could not climb is tried again (after the directory is fixed)."""
SLACK = timedelta(seconds=5)
"""A wake-up this early still counts: machines' clocks differ by a little."""


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
    return wake_ups(ticket, clock)


def begin(ticket: Ticket, rules: DeadlinePolicy, at: datetime) -> tuple[datetime, TicketClock, Outcome]:
    """`start` for a ticket's first clock, on the routing job's hot path, without writing:
    the deadline (for the caller's one write of the ticket, `due_at`), the clock row (not
    added to the session: the caller writes it with its other writes) and its wake-up."""
    remind_at = rules.reminder(at)
    clock = TicketClock(ticket_id=ticket.id, level=ticket.escalation_level, remind_at=remind_at,
                        next_at=remind_at, stuck_at=None)
    return rules.due(at), clock, wake_ups(ticket, clock)


def wake_ups(ticket: Ticket, clock: TicketClock) -> Outcome:
    """The clock row's next wake-up (its reminder, else the deadline) under a job id of its
    own level and round (a reopened ticket's clock runs again). One at a time: the reminder's
    look asks for the deadline's, so a ticket holds one job in RQ's schedule, not two."""
    prefix = f"clock-{ticket.id}-{ticket.escalation_level}" + (f"-r{ticket.reopens}" if ticket.reopens else "")
    if clock.next_at is None:
        return Outcome("started", ticket.code)
    return Outcome("started", ticket.code, ((f"{prefix}-{'remind' if clock.remind_at else 'due'}", clock.next_at),))


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
    record(ticket, Event.REMINDER_SENT, at=now, official=ticket.official_id, level=ticket.escalation_level)
    clock.remind_at, clock.next_at = None, ticket.due_at
    return Outcome("reminded", ticket.code, wake_ups(ticket, clock).wake)


def _escalate(session: Session, ticket: Ticket, clock: TicketClock, now: datetime,
              rules: DeadlinePolicy, link_base: str) -> Outcome:
    late = ticket.agency
    if clock.stuck_at is None:  # else the breach was recorded when it first got stuck
        record(ticket, Event.BREACH, at=now, agency=late.code, agency_id=late.id, official=ticket.official_id,
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
    routing.assign(session, ticket, referral, now)
    lifecycle.move(ticket, TicketStatus.ESCALATED, at=now, agency=referral.agency.code,
                   official=referral.official.id, level=ticket.escalation_level, previous_agency=late.code)
    started = start(session, ticket, rules, now, clock)
    routing.text_official(session, ticket, "escalation", link_base=link_base)
    return Outcome("escalated", ticket.code, started.wake)


def _stuck(ticket: Ticket, clock: TicketClock, now: datetime, why: str) -> Outcome:
    """Nobody above can take the ticket: say so once, and look again in a while."""
    if clock.stuck_at is None:
        record(ticket, Event.ESCALATION_STUCK, at=now, note=why, agency=ticket.agency.code,
               level=ticket.escalation_level)
        clock.stuck_at = now
    clock.next_at = now + ESCALATION_RETRY
    log.error("the ticket cannot climb: fix the directory", extra={"ticket": ticket.code, "why": why})
    return Outcome("stuck", ticket.code)
