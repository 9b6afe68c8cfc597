"""Tickets and their append-only timeline of events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, Insert, String, Text, bindparam, event, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship
from sqlalchemy.orm.util import identity_key

from models.agencies import Agency, Official
from models.carrying import Carried, carrying
from models.base import Base, utcnow
from models.categories import Category
from models.events import Event


class Via(StrEnum):
    """How the complaint reached us (recorded as data, not as a code path)."""

    CALL = "call"  # a voice call to 128 or the overseas number
    SMS = "sms"  # a text message
    WEB = "web"  # the web console or a later web form
    APP = "app"  # a mobile app


class CallerKind(StrEnum):
    """What kind of number the citizen used; decides whether we can text them back."""

    IR_MOBILE = "ir_mobile"
    IR_LANDLINE = "ir_landline"
    FOREIGN = "foreign"
    WITHHELD = "withheld"  # no usable caller id


class TicketStatus(StrEnum):
    """Where a ticket is in its life; the allowed moves are in models.lifecycle."""

    REGISTERED = "registered"  # taken in, not yet routed
    REFERRED = "referred"  # sent to an agency's official; the clock runs
    ACKNOWLEDGED = "acknowledged"  # the official has seen it; the clock still runs
    ESCALATED = "escalated"  # the deadline passed; now with the next level up
    RESOLVED = "resolved"  # answered with a result; the clock stops
    REOPENED = "reopened"  # the result was disputed: open again, on a clock of its own
    CLOSED = "closed"  # the citizen answered the survey, or it timed out
    REJECTED = "rejected"  # out of scope of the 128 line
    DUPLICATE = "duplicate"  # the same complaint as another ticket
    NUISANCE = "nuisance"  # abuse of the line


class Ticket(Base):
    """One complaint."""

    __tablename__ = "tickets"
    __table_args__ = (
        # The deadline sweep and the console's overdue filter.
        Index("ix_tickets_status_due_at", "status", "due_at"),
        # "A text from a number that opened a ticket in the last 10 minutes" and rate limits.
        Index("ix_tickets_caller_registered_at", "caller", "registered_at"),
        # The console's list, newest first (ORDER BY registered_at DESC, id DESC, a page at a
        # time), the date filters, and the report cards' first ticket (min(registered_at)).
        Index("ix_tickets_registered_at_id", "registered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    via: Mapped[Via] = mapped_column(String(10))
    caller: Mapped[str | None] = mapped_column(String(20))
    """E.164, or None when withheld."""
    caller_kind: Mapped[CallerKind] = mapped_column(String(20))
    caller_country: Mapped[str | None] = mapped_column(String(2))
    province_code: Mapped[str | None] = mapped_column(String(40), index=True)
    county: Mapped[str | None] = mapped_column(String(80))
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    text: Mapped[str | None] = mapped_column(Text)
    """The complaint as the citizen wrote it, untouched (Persian, emoji and all)."""
    voice_path: Mapped[str | None] = mapped_column(String(400))
    """The recorded voice description, relative to the recordings directory."""
    language: Mapped[str] = mapped_column(String(2), default="fa")
    status: Mapped[TicketStatus] = mapped_column(String(20), default=TicketStatus.REGISTERED)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    escalation_level: Mapped[int] = mapped_column(default=0)
    """How many times the deadline passed and the ticket went one level up."""
    due_at: Mapped[datetime | None]
    result_text: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    reopens: Mapped[int] = mapped_column(default=0, server_default="0")
    """How many times a result was disputed and the ticket reopened: its survey round."""

    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    referred_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_step_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the status last changed: what a caller hears as "the last step"."""

    agency: Mapped[Agency | None] = relationship(lazy="joined")
    official: Mapped[Official | None] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )

    @property
    def can_receive_sms(self) -> bool:
        """Mobiles and foreign numbers can be texted; landlines and withheld ids cannot."""
        return self.caller_kind in (CallerKind.IR_MOBILE, CallerKind.FOREIGN)


class TicketEvent(Base):
    """One step in a ticket's life. Written once, never changed.

    The database holds it to that: migration 0007_core adds triggers refusing UPDATE and
    DELETE on the table (a later migration that rebuilds the table on SQLite must add them
    again), and deleting a ticket does not cascade to its timeline.
    """

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    """A status it moved to (TicketStatus), or an Event ("sms_appended", "breach" ...)."""
    actor: Mapped[str] = mapped_column(String(80), default="system")
    """Who did it: "system", "citizen", "official:<id>", "user:<name>"."""
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _events_are_append_only(_mapper, _connection, target: TicketEvent) -> None:
    raise ValueError(f"ticket event {target.id} is part of the timeline and cannot change")


def record(ticket: Ticket, kind: Event | TicketStatus, *, actor: str = "system",
           note: str | None = None, at: datetime | None = None, **data: Any) -> TicketEvent:
    """Append an event to the ticket's timeline: a status it moved to, or an Event."""
    # Set from the event's side, the timeline is not read from the database just to be
    # appended to (the backref queues it on a collection not loaded); SQLAlchemy 2 does not
    # cascade along a backref, so the event joins the ticket's session itself.
    entry = TicketEvent(**event_row(kind, actor=actor, note=note, at=at, **data), ticket=ticket)
    session = object_session(ticket)
    if session is not None:
        session.add(entry)
    return entry


def event_row(kind: Event | TicketStatus, *, actor: str = "system", note: str | None = None,
              at: datetime | None = None, **data: Any) -> dict[str, Any]:
    """The columns of a timeline entry (`record`'s arguments), for `write_events`."""
    if not isinstance(kind, (Event, TicketStatus)):
        raise TypeError(f"a timeline kind is an Event or a TicketStatus, not {kind!r}")
    return {"kind": kind, "actor": actor, "note": note, "at": at or utcnow(), "data": data}


_INSERT_EVENTS = insert(TicketEvent.__table__)
"""Built once, so executing it compiles nothing (see models.outbox._INSERT_WORK)."""


def write_events(session: Session, ticket_id: int, rows: list[dict[str, Any]]) -> None:
    """Append entries (`event_row`s) to a ticket's timeline in one statement, without the
    ORM (the hot paths: intake, a call's end). A timeline the session loaded is expired, so
    that reading it again loads these too."""
    timeline_written(session, ticket_id)
    entries = [dict(row, ticket_id=ticket_id) for row in rows]
    # One entry, the usual case, as one statement: executemany's set-up costs more than it.
    session.connection().execute(_INSERT_EVENTS, entries[0] if len(entries) == 1 else entries)


def timeline_written(session: Session, ticket_id: int) -> None:
    """After entries were appended to a ticket's timeline without the ORM: a timeline the
    session loaded is expired, so that reading it again loads them too."""
    held = session.identity_map.get(identity_key(Ticket, ticket_id))
    if held is not None and "events" in held.__dict__:
        session.expire(held, ["events"])


def write_entry_with(session: Session, ticket_id: int, entry: dict[str, Any], carried: Carried) -> None:
    """Append one entry (an `event_row`) to a ticket's timeline together with other writes
    of the same step (`models.carrying`: one statement on PostgreSQL)."""
    carrying(session.connection(), *entry_write(ticket_id, entry), carried)
    timeline_written(session, ticket_id)


def entry_write(ticket_id: int, entry: dict[str, Any]) -> tuple[Insert, dict[str, Any]]:
    """One entry (an `event_row`) of a ticket's timeline as a write another statement may
    carry (`models.carrying`); whoever runs it then calls `timeline_written`."""
    return _ENTRY, {"entry_ticket_id": ticket_id, **entry_parameters(entry)}


def entry_parameters(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's (an `event_row`'s) values as `entry_write` and `entry_for_each` name them."""
    return {f"entry_{key}": value for key, value in entry.items()}


def entry_for_each(ticket_id: ColumnElement[int]) -> Insert:
    """The same entry (`entry_parameters`) on the timeline of each ticket `ticket_id` gives
    (a column of a WITH's statement; NULLs skipped): an INSERT … SELECT for that WITH, so
    that the statement finding the tickets writes their entries too."""
    table = TicketEvent.__table__
    chosen = select(ticket_id, *(bindparam(f"entry_{name}", type_=table.c[name].type) for name in _ENTRY_COLUMNS))
    return insert(table).from_select(["ticket_id", *_ENTRY_COLUMNS], chosen.where(ticket_id.is_not(None)))


_ENTRY_COLUMNS = ("at", "kind", "actor", "note", "data")
"""A timeline entry's columns besides its ticket's id (an `event_row`'s keys)."""
_ENTRY = insert(TicketEvent.__table__).values({
    name: bindparam(f"entry_{name}", type_=TicketEvent.__table__.c[name].type)
    for name in ("ticket_id", *_ENTRY_COLUMNS)})
"""One timeline entry's INSERT, built once; every column is given (Python-side defaults are
not relied on inside a WITH), its parameters named apart from every column."""
