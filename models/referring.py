"""A new ticket's referral: to its agency's official, with its clock started and the official
texted, written by statements built once rather than the ORM's flush (every complaint comes
here once: the routing job's hot path). On PostgreSQL the ticket's columns, its clock row and
its timeline entry go in one statement (writes inside a WITH), then the text in its own.
Where it goes is models.routing's rules; the clock's, models.escalation's; the move,
models.lifecycle's."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Update, bindparam, insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import escalation, lifecycle, routing
from models.db import column_update, hold_as_loaded
from models.deadlines import DeadlinePolicy, TicketClock
from models.escalation import Outcome
from models.tickets import Ticket, TicketEvent, TicketStatus, event_row, timeline_written, write_events


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
    _write(session, ticket, values, clock, entry)
    set_committed_value(ticket, "agency", referral.agency)
    set_committed_value(ticket, "official", referral.official)
    routing.text_official(session, ticket, "referral", link_base=link_base)
    return referral.rule, started


def _write(session: Session, ticket: Ticket, values: dict[str, Any], clock: TicketClock,
           entry: dict[str, Any]) -> None:
    """The ticket's new columns, its clock row and its timeline entry: one statement on
    PostgreSQL, a statement each on SQLite (no network: they cost it nothing)."""
    update, parameters = column_update(ticket, values)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_together(update), {
            **parameters, **{f"clock_{name}": getattr(clock, name) for name in _CLOCK_COLUMNS},
            **{f"event_{name}": value for name, value in entry.items()}})
        timeline_written(session, ticket.id)
    else:
        connection.execute(update, parameters)
        connection.execute(_INSERT_CLOCK, {name: getattr(clock, name) for name in _CLOCK_COLUMNS})
        write_events(session, ticket.id, [entry])
    hold_as_loaded(ticket, values)


_CLOCKS, _EVENTS = TicketClock.__table__, TicketEvent.__table__
_CLOCK_COLUMNS = tuple(column.key for column in _CLOCKS.columns)
_ENTRY_COLUMNS = ("at", "kind", "actor", "note", "data")
_INSERT_CLOCK = insert(_CLOCKS)
"""SQLite's INSERT of the clock row, built once."""


@lru_cache(maxsize=8)
def _together(update: Update) -> Insert:
    """The timeline entry's INSERT carrying the ticket's UPDATE and the clock's INSERT, for
    each shape of UPDATE (built once). Python-side defaults are not relied on inside a WITH:
    every column is given."""
    clock = insert(_CLOCKS).values({name: bindparam(f"clock_{name}", type_=_CLOCKS.c[name].type)
                                    for name in _CLOCK_COLUMNS})
    return insert(_EVENTS).values(
        {"ticket_id": bindparam("row_key", type_=_EVENTS.c.ticket_id.type)}
        | {name: bindparam(f"event_{name}", type_=_EVENTS.c[name].type) for name in _ENTRY_COLUMNS}
    ).add_cte(update.cte("moved"), clock.cte("clock"))
