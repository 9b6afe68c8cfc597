"""The routing job: refer a new ticket to its agency's official and start its clock.

A ticket nobody can take (no active official on its way up: the directory needs fixing)
says so once on its timeline, and the job fails so that RQ, then the outbox relay, tries
it again until someone can.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models import escalation, routing
from models.deadlines import TicketClock, policy
from models.lifecycle import OPEN
from models.locking import locked_ticket
from models.routing import NobodyToRefer
from models.runtime import current
from worker import clock, context

log = logging.getLogger(__name__)


def route_ticket(ticket_id: int) -> None:
    """Refer the ticket (unless already referred) and start its clock (unless running)."""
    runtime = current()
    settings = runtime.settings
    with runtime.session() as session:
        ticket = locked_ticket(session, ticket_id)
        if ticket is None or ticket.status not in OPEN or ticket.due_at is not None:
            return  # gone, closed, or routed by an earlier run: nothing to do
        try:
            rule = routing.refer_new(session, ticket, runtime.now(), settings.public_base_url)
        except NobodyToRefer as exc:
            _stuck(session, ticket_id, str(exc))
            raise
        started = escalation.start(session, ticket, policy(session, settings), ticket.registered_at,
                                   TicketClock(ticket_id=ticket.id))
        session.commit()
        extra = {"ticket": ticket.code, "agency": ticket.agency.code, "official": ticket.official_id,
                 "rule": rule, "rq_job": context.job_id()}
    clock.schedule(runtime.redis, ticket_id, started)
    log.info("ticket routed", extra=extra)


def _stuck(session: Session, ticket_id: int, why: str) -> None:
    """Record, once, why the ticket could not be routed (its own transaction)."""
    session.rollback()
    ticket = locked_ticket(session, ticket_id)
    if ticket is not None:
        routing.note_stuck(session, ticket, why, current().now())
    session.commit()
    log.error("nobody to route the ticket to: fix the directory",
              extra={"ticket": ticket.code if ticket else None, "why": why, "rq_job": context.job_id()})
