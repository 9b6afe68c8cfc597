"""A new ticket's rows, written together: the ticket under a free tracking code, its first
timeline entries, its search words and its routing work.

Intake is every channel's hot path. On PostgreSQL one statement writes the four (INSERTs
inside a WITH, which PostgreSQL runs whether or not the statement reads them): one round
trip, not four. SQLite allows no INSERT inside a WITH and takes a statement each, which
costs it nothing (no network). Either way a taken code inserts nothing and a fresh one is
drawn, with no savepoint to undo.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import Insert, String, Text, bindparam, column, func, insert, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import errors, search
from models.base import UTCDateTime, utcnow
from models.db import adopt
from models.lean import Lean
from models.outbox import Job, OutboxItem, Work, insert_work, work_from, written
from models.tickets import Ticket, TicketEvent, write_events

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 8
"""Fresh codes tried when one is taken; with 10^9 codes a second try is already rare."""
ROUTE_KEY = "route_ticket:"
"""The outbox key of a ticket's routing work, before its id."""


def write(session: Session, draft: Ticket, codes: Callable[[], str], first: list[dict[str, Any]]) -> Ticket:
    """Store the drafted ticket with a code the unique constraint accepts (fresh ones tried on
    a clash), its first timeline entries (`event_row`s), its text's search words and the
    work to route it, in the caller's transaction; the stored ticket, in the session as if
    loaded (its timeline and relations load when read)."""
    row = {key: draft.__dict__.get(key) for key in _TICKET_COLUMNS}
    words = search.words(draft.text)
    if session.get_bind().dialect.name == "postgresql":
        at_once = {"events": [dict(entry, at=entry["at"].isoformat()) for entry in first], "words": words,
                   "written_at": utcnow()}
        ticket_id, work_id = _insert(session, row, codes, lambda: _ALL_AT_ONCE.first(
            session.connection(), {**row, **at_once}))
        ticket = adopt(session, Ticket, {**row, "id": ticket_id}, inserted=True)
        written(session).append(Work(work_id, Job.ROUTE_TICKET.value, (ticket_id,), ticket.code))
        return ticket
    (ticket_id,) = _insert(session, row, codes, lambda: session.connection().execute(_TICKET_SQLITE, row).first())
    ticket = adopt(session, Ticket, {**row, "id": ticket_id}, inserted=True)
    write_events(session, ticket_id, first)
    search.add_words(session, ticket_id, words)
    insert_work(session, Job.ROUTE_TICKET, ticket_id, key=f"{ROUTE_KEY}{ticket_id}", ticket_id=ticket_id)
    return ticket


def _insert(session: Session, row: dict[str, Any], codes: Callable[[], str], once: Callable[[], Any]) -> Any:
    """Run `once` (the INSERT of `row`) under fresh codes until one is free: what it returned."""
    for _ in range(CODE_ATTEMPTS):
        row["code"] = codes()
        try:
            stored = once()
        except IntegrityError as exc:
            raise errors.TicketNotStored(f"the database refused the ticket: {_refused_by(exc)}") from exc
        if stored is not None:
            return stored
        log.warning("tracking code taken, drawing another", extra={"ticket": row["code"]})
    raise errors.NoFreeCode(f"no free tracking code after {CODE_ATTEMPTS} tries")


def _refused_by(exc: IntegrityError) -> str:
    """What refused the insert, without the values (a caller's number) it held: the
    constraint PostgreSQL names, else its message; SQLite's message names only columns."""
    diag = getattr(exc.orig, "diag", None)
    if diag is None:
        return str(exc.orig)
    return diag.constraint_name or diag.message_primary or "an integrity constraint"


_TICKETS, _EVENTS, _OUTBOX = Ticket.__table__, TicketEvent.__table__, OutboxItem.__table__
_TICKET_COLUMNS = tuple(c.key for c in _TICKETS.columns if c.key != "id")
_TICKET_SQLITE = (sqlite_insert(_TICKETS).on_conflict_do_nothing(index_elements=["code"])
                  .returning(_TICKETS.c.id))
"""SQLite's INSERT of the ticket, built once: a taken code inserts nothing."""


def _all_at_once() -> Insert:
    """PostgreSQL's one statement: the ticket (nothing at all when its code is taken), then
    from its id its timeline entries (a JSON list of `event_row`s), its search words (none
    when empty) and its routing work; RETURNING the ticket's and the work's ids."""
    # Python-side defaults are not relied on inside a WITH: every column is given.
    ticket = (pg_insert(_TICKETS).values({name: bindparam(name, type_=_TICKETS.c[name].type)
                                          for name in _TICKET_COLUMNS})
              .on_conflict_do_nothing(index_elements=[_TICKETS.c.code]).returning(_TICKETS.c.id).cte("ticket"))
    entries = func.json_to_recordset(bindparam("events", type_=_EVENTS.c.data.type)).table_valued(
        column("at", UTCDateTime()), column("kind", String), column("actor", String), column("note", Text),
        column("data", _EVENTS.c.data.type)).render_derived(with_types=True)
    timeline = insert(_EVENTS).from_select(
        ["ticket_id", "at", "kind", "actor", "note", "data"],
        select(ticket.c.id, entries.c.at, entries.c.kind, entries.c.actor, entries.c.note, entries.c.data)
        .select_from(ticket.join(entries, true())),  # each entry with the one ticket row
        include_defaults=False).cte("timeline")
    words = bindparam("words", type_=Text)
    documents = insert(search.SearchDocument.__table__).from_select(
        ["ticket_id", "body"], select(ticket.c.id, words).where(words != ""), include_defaults=False).cte("words")
    work = work_from(Job.ROUTE_TICKET, ROUTE_KEY, ticket.c.id,
                     bindparam("written_at", type_=_OUTBOX.c.created_at.type), ticket.c.id)
    return work.add_cte(timeline, documents).returning(_OUTBOX.c.ticket_id, _OUTBOX.c.id)


_ALL_AT_ONCE = Lean(_all_at_once())
"""Built once, run on the driver's cursor (models.lean)."""
