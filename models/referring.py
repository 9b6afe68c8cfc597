"""A new ticket's referral: to its agency's official, with its clock started and the official
texted, written by statements built once rather than the ORM's flush (every complaint comes
here once: the routing job's hot path). On PostgreSQL the ticket's columns, its clock row,
its timeline entry and the official's text go in one statement (writes inside a WITH).
Where it goes is models.routing's rules; the clock's, models.escalation's; the move,
models.lifecycle's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import escalation, lifecycle, routing
from models.db import column_update, hold_as_loaded
from models.deadlines import DeadlinePolicy, TicketClock
from models.escalation import Outcome
from models.carrying import Carried
from models.tickets import Ticket, TicketStatus, entry_write, event_row, timeline_written


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
    due_at, clock, started = escalation.begin(ticket, rules, ticket.registered_at)
    values = {"agency_id": referral.agency.id, "official_id": referral.official.id, "due_at": due_at,
              **lifecycle.step(ticket, TicketStatus.REFERRED, now)}
    entry = event_row(TicketStatus.REFERRED, at=now, previous=TicketStatus.REGISTERED.value,
                      agency=referral.agency.code, official=referral.official.id, rule=referral.rule)
    set_committed_value(ticket, "agency", referral.agency)
    set_committed_value(ticket, "official", referral.official)
    # The official's text carries the referral's writes: one statement on PostgreSQL.
    routing.text_official(session, ticket, "referral", link_base=link_base,
                          carried=_writes(ticket, values, clock, entry))
    hold_as_loaded(ticket, values)
    timeline_written(session, ticket.id)
    return referral.rule, started


def _writes(ticket: Ticket, values: dict[str, Any], clock: TicketClock, entry: dict[str, Any]) -> Carried:
    """The ticket's new columns, its clock row and its timeline entry, as writes to carry."""
    return [column_update(ticket, values), entry_write(ticket.id, entry),
            (_NEW_CLOCK, {f"clock_{name}": getattr(clock, name) for name in _CLOCK_COLUMNS})]


_CLOCKS = TicketClock.__table__
_CLOCK_COLUMNS = tuple(column.key for column in _CLOCKS.columns)
_NEW_CLOCK = insert(_CLOCKS).values({name: bindparam(f"clock_{name}", type_=_CLOCKS.c[name].type)
                                     for name in _CLOCK_COLUMNS})
"""The clock row's INSERT, built once (its parameters named apart from the UPDATE's)."""
