"""Reopening a ticket whose result the citizen or a supervisor disputes.

A resolved or closed ticket goes back to work with its agency: its result is set aside (it
stays on the timeline), its clock starts again from the reopening with a deadline of its
own (models.escalation.start; the workers schedule the wake-ups from the outbox), the
official is texted, and the next result is texted and surveyed again (a new round). A
survey answer of 1 or 2 proposes it on the ticket's page; a person decides. The report
cards count reopened complaints, and measure them by their standing result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from models import escalation, lifecycle, routing
from models.deadlines import DeadlinePolicy, TicketClock
from models.errors import DomainError, IllegalTransition
from models.escalation import Outcome
from models.outbox import Job, add_work
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus

DISPUTED = 2
"""A survey score this low or lower proposes reopening the ticket."""
REOPENABLE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


class NoReason(DomainError):
    """A reopening needs to say what is wrong with the result."""


def reopen(session: Session, ticket: Ticket, reason: str, *, actor: str, rules: DeadlinePolicy,
           now: datetime, link_base: str = "") -> Outcome:
    """Reopen the resolved (or closed) ticket, restart its clock and text its official; commit.
    The wake-ups the workers will schedule (the outbox carries them)."""
    reason = reason.strip()
    if not reason:
        raise NoReason("say why the result does not stand")
    if ticket.status not in REOPENABLE or ticket.agency is None:
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}: only a result can be disputed")
    referral = routing.restaff(session, ticket, now)
    lifecycle.move(ticket, TicketStatus.REOPENED, actor=actor, at=now, note=reason, round=ticket.reopens + 1,
                   agency=referral.agency.code, official=referral.official.id)
    ticket.reopens += 1
    ticket.resolved_at = ticket.result_text = None  # the next result is the one that counts
    clock = session.get(TicketClock, ticket.id) or TicketClock(ticket_id=ticket.id)
    clock.stuck_at = None
    started = escalation.start(session, ticket, rules, now, clock)
    add_work(session, Job.WAKE_CLOCK, ticket.id, key=f"wake_clock:{ticket.id}:{ticket.reopens}", ticket_id=ticket.id)
    routing.text_official(session, ticket, "reopened", link_base=link_base)
    session.commit()
    return started


def disputed() -> ColumnElement[bool]:
    """A condition on tickets: resolved or closed, with a survey answer of this round low
    enough to propose reopening them."""
    low = select(SurveyAnswer.id).where(SurveyAnswer.ticket_id == Ticket.id, SurveyAnswer.round == Ticket.reopens,
                                        SurveyAnswer.score <= DISPUTED)
    return Ticket.status.in_(list(REOPENABLE)) & exists(low)


def proposal(session: Session, ticket: Ticket) -> int | None:
    """The low score (DISPUTED or lower) of this round's survey answer that proposes
    reopening the ticket, or None."""
    if ticket.status not in REOPENABLE:
        return None
    return session.scalar(select(SurveyAnswer.score).where(
        SurveyAnswer.ticket_id == ticket.id, SurveyAnswer.round == ticket.reopens, SurveyAnswer.score <= DISPUTED))
