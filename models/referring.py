"""A new ticket's referral: to its agency's official, with its clock started and the official
texted, written by statements built once rather than the ORM's flush (every complaint comes
here once: the routing job's hot path). Where it goes is models.routing's rules; the clock's,
models.escalation's; the move, models.lifecycle's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import escalation, lifecycle, routing
from models.db import write_columns
from models.deadlines import DeadlinePolicy, TicketClock
from models.escalation import Outcome
from models.tickets import Ticket, TicketStatus, event_row, write_events


def refer(session: Session, ticket: Ticket, rules: DeadlinePolicy, now: datetime,
          link_base: str = "") -> tuple[str, Outcome]:
    """Refer a registered ticket to its agency's official, start its clock (counting from
    registration) and text the official; a ticket the console already sent somewhere keeps
    its agency and gets its clock. The rule that chose ("kept" for that) and the clock's
    wake-up to schedule. Raises NobodyToRefer, having written nothing, when nobody on the
    way up can take it."""
    if ticket.status != TicketStatus.REGISTERED:
        return "kept", escalation.start(session, ticket, rules, ticket.registered_at,
                                        TicketClock(ticket_id=ticket.id))
    # Reads of the directory, which nothing pending on the ticket bears on.
    with session.no_autoflush:
        referral = routing.choose(session, ticket)
    routing.release_on_move(session, ticket, referral.agency, now)
    due_at, started = escalation.begin(session, ticket, rules, ticket.registered_at)
    write_columns(session, ticket, {"agency_id": referral.agency.id, "official_id": referral.official.id,
                                    "due_at": due_at, **lifecycle.step(ticket, TicketStatus.REFERRED, now)})
    set_committed_value(ticket, "agency", referral.agency)
    set_committed_value(ticket, "official", referral.official)
    write_events(session, ticket.id, [event_row(
        TicketStatus.REFERRED, at=now, previous=TicketStatus.REGISTERED.value, agency=referral.agency.code,
        official=referral.official.id, rule=referral.rule)])
    routing.text_official(session, ticket, "referral", link_base=link_base)
    return referral.rule, started
