"""Where a complaint goes when its channel did not say: triage's reading written on the ticket,
the questions still worth asking, and how long routing waits for their answers.

Every channel's complaint passes here (intake calls `place` and `note`): the fields the
channel fixed (a caller's menu choices, an app's form) stay as given; the others take
triage's sure values. A ticket still missing its service or its province may be asked for
them by a channel that can ask (SMS, models/questions.py); while such a question is open,
routing waits at most `Settings.triage_wait`, then refers with what it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from sqlalchemy import ForeignKey, Index, String, bindparam, exists, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import instance_state

from models.agencies import Agency
from models.base import Base
from models.categories import OTHER
from models.events import Event
from models.locking import ROW_ID, locked_ticket_with, ticket_lock
from models.outbox import Job, OutboxItem, add_work
from models.phones import Caller
from models.tickets import CallerKind, Ticket, TicketStatus, record
from models.triage import FIELDS, DirectoryIndex, Known, Mark, Triage, Unit, directory_index, triage

QUESTIONS = ("sector", "province")
"""What a citizen may be asked, in this order: the service first, then the province."""
_COLUMNS = {"sector": "sector_code", "category": "category_code", "province": "province_code",
            "county": "county"}
"""The ticket's column for each field triage reads (the agency is set by its id)."""


class TriageState(Base):
    """What triage still waits for on one ticket: the question open to the citizen, and the
    fields a person or the channel fixed (triage never writes over those)."""

    __tablename__ = "ticket_triage"
    __table_args__ = (
        # The periodic sweep: open questions, oldest first (most rows have none open).
        Index("ix_ticket_triage_open", "asked_at", postgresql_where=text("asking IS NOT NULL"),
              sqlite_where=text("asking IS NOT NULL")),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    fixed: Mapped[str] = mapped_column(String(80), default="")
    """The fields set by the channel, the citizen's answers or a person, comma-separated."""
    asking: Mapped[str | None] = mapped_column(String(20))
    """The question open to the citizen ("sector" or "province"); None when none is."""
    asked: Mapped[int] = mapped_column(default=0)
    """How many questions were put (two at most)."""
    asked_at: Mapped[datetime | None]
    """When the first question went out: routing's wait counts from it."""
    last_asked_at: Mapped[datetime | None]
    """When the latest question went out (a lone digit answers whichever was asked last)."""
    gave_up_at: Mapped[datetime | None]
    """When routing stopped waiting and referred the ticket with what it had."""

    @property
    def fixed_fields(self) -> frozenset[str]:
        """The fields triage leaves alone."""
        return frozenset(f for f in self.fixed.split(",") if f)

    def fix(self, *fields: str) -> None:
        """Add `fields` to those triage leaves alone."""
        self.fixed = ",".join(sorted(self.fixed_fields | set(fields)))


@dataclass(frozen=True)
class Placement:
    """What reading a complaint's text did to its ticket."""

    reading: Triage
    fixed: frozenset[str]
    applied: dict[str, str] = field(default_factory=dict)
    """The values written on the ticket, by field."""
    asks: tuple[str, ...] = ()
    """The questions that could still place it better (QUESTIONS, in order)."""

    def as_event(self) -> dict[str, Any]:
        """The timeline's record of it: every suggestion with its words and rule."""
        return {"reading": self.reading.as_dict(), "applied": self.applied, "asks": list(self.asks),
                "fixed": sorted(self.fixed)}


def fixed_by(*, sector: str | None, agency_id: int | None, category: str, province: str | None,
             county: str | None) -> frozenset[str]:
    """The fields a complaint's channel set (the default category `other` sets nothing)."""
    given = {"sector": sector, "agency": agency_id, "category": None if category == OTHER else category,
             "province": province, "county": county}
    return frozenset(name for name, value in given.items() if value is not None)


def place(session: Session, ticket: Ticket, text: str | None, fixed: frozenset[str],
          caller: Caller, mark: Mark | None = None) -> Placement | None:
    """Read `text` and write its sure values on `ticket` for the fields not `fixed`; None when
    there is nothing to read. The caller records the placement on the timeline (`note`);
    `mark` is the directory's, when the caller read it (`models.triage.MARK`)."""
    if not (text or "").strip() or fixed >= set(FIELDS):
        return None
    landline = caller.province.code if caller.province else None
    index = directory_index(session, mark)
    known = Known(ticket.province_code or landline, str(ticket.via), ticket.language)
    reading = triage(text, known, index)
    applied = apply(session, ticket, reading, fixed, index)
    return Placement(reading, fixed, applied, asks(ticket, fixed))


def apply(session: Session, ticket: Ticket, reading: Triage, fixed: frozenset[str],
          index: DirectoryIndex) -> dict[str, str]:
    """Write the reading's sure values on the ticket for the fields not `fixed`; those that
    changed it."""
    held = {name: getattr(ticket, column) for name, column in _COLUMNS.items()}
    held["agency"] = ticket.agency.code if ticket.agency is not None else None  # None on a new ticket
    sure = {name: value for name, value in reading.confident().items() if name not in fixed and held[name] != value}
    if "agency" in sure and not _agrees(index.units[sure["agency"]], ticket, fixed):
        del sure["agency"]  # an agency of another service or province than the channel said
    if "county" in sure and sure.get("province", ticket.province_code) != reading.province.value:
        del sure["county"]  # a county of a province other than the ticket's
    for name, value in sure.items():
        if name == "agency":
            _set_agency(session, ticket, index.units[value].id)
        else:
            setattr(ticket, _COLUMNS[name], value)
    return sure


def _agrees(unit: Unit, ticket: Ticket, fixed: frozenset[str]) -> bool:
    """Whether a named agency fits the service and province the channel fixed."""
    if "sector" in fixed and unit.sector != ticket.sector_code:
        return False
    return "province" not in fixed or unit.province in (None, ticket.province_code)


def _set_agency(session: Session, ticket: Ticket, agency_id: int | None) -> None:
    """A new ticket takes the id (stored with it); a stored one its agency row, so that
    `ticket.agency` is right before the next flush. (An index read from the database has
    every agency's id.)"""
    if agency_id is None:
        return
    if instance_state(ticket).persistent:
        ticket.agency = session.get(Agency, agency_id)
    ticket.agency_id = agency_id


def asks(ticket: Ticket, fixed: frozenset[str]) -> tuple[str, ...]:
    """The questions that could place the ticket better: its service while neither a service
    nor an agency is known, its province while none is. None for a caller abroad (the consular
    unit takes those) or an agency the channel chose."""
    if ticket.caller_kind == CallerKind.FOREIGN or "agency" in fixed:
        return ()
    missing = {"sector": ticket.sector_code is None and ticket.agency_id is None,
               "province": ticket.province_code is None}
    return tuple(name for name in QUESTIONS if missing[name])


def note(ticket: Ticket, placement: Placement | None, at: datetime) -> None:
    """Record the reading on the ticket's timeline, when the text's words suggested anything."""
    if suggested(placement):
        record(ticket, Event.TRIAGED, at=at, **placement.as_event())


def suggested(placement: Placement | None) -> TypeGuard[Placement]:
    """Whether the text's words suggested anything: what `note` records."""
    return placement is not None and any(placement.reading.get(name).evidence for name in FIELDS)


def reread(session: Session, ticket: Ticket, state: TriageState, at: datetime) -> Placement | None:
    """Read the ticket's text again (it grew, or a province became known): sure values go on
    the fields nobody fixed, and the new reading on the timeline when it changed anything."""
    placement = place(session, ticket, ticket.text, state.fixed_fields, Caller(None, ticket.caller_kind))
    if placement is not None and placement.applied:
        note(ticket, placement, at)
    return placement


def state_of(session: Session, ticket: Ticket) -> TriageState:
    """The ticket's triage state row (made when first needed), locked with the ticket."""
    state = session.get(TriageState, ticket.id, with_for_update=True, populate_existing=True)
    return new_state(session, ticket) if state is None else state


def new_state(session: Session, ticket: Ticket) -> TriageState:
    """A triage state row for a ticket that has none yet."""
    state = TriageState(ticket_id=ticket.id, fixed="", asked=0)
    session.add(state)
    return state


@dataclass(frozen=True)
class OpenQuestion:
    """A question to a ticket's citizen whose wait nobody ended, as routing read it."""

    asked_at: datetime | None
    """When it went out (None: not yet, as it goes out with the reply being written)."""


_OPEN = (TriageState.asking.is_not(None), TriageState.gave_up_at.is_(None))


def locked_for_routing(session: Session, ticket_id: int) -> tuple[Ticket | None, OpenQuestion | None]:
    """The ticket, fresh and locked (models.locking), and the question to its citizen still
    open, read in one statement: a ticket nobody asked anything, most of them, is routed
    without a look at its triage row, and one whose wait goes on is left without one."""
    found = locked_ticket_with(session, ticket_id, _FOR_ROUTING)
    if found is None:
        return None, None
    return found[0], (OpenQuestion(found[2]) if found[1] else None)


_WAITING = (TriageState.ticket_id == bindparam(ROW_ID), *_OPEN)
_FOR_ROUTING = ticket_lock(exists().where(*_WAITING), select(TriageState.asked_at).where(*_WAITING).scalar_subquery())
"""`locked_for_routing`'s statement, built once (every routing runs it)."""


def wait_or_end(session: Session, ticket: Ticket, question: OpenQuestion, wait: timedelta,
                now: datetime, slack: timedelta) -> datetime | None:
    """Until when routing still waits for the citizen's answer to the open question (more
    than `slack` after `now`; `wait` is `Settings.triage_wait`); else None, and the
    question's wait is ended now for routing to refer the ticket (the citizen may still
    answer within the thread window, which moves the ticket if nobody took it up yet)."""
    if question.asked_at is not None and question.asked_at + wait > now + slack:
        return question.asked_at + wait
    state = session.get(TriageState, ticket.id, populate_existing=True)
    if state is None or state.asking is None or state.gave_up_at is not None:
        return None
    state.gave_up_at = now
    record(ticket, Event.WAIT_ENDED, at=now, asking=state.asking)
    return None


def route_now(session: Session, ticket: Ticket) -> None:
    """Ask the routing job to refer the registered ticket now (its question is settled), once."""
    key = f"route_ticket:{ticket.id}:now"
    if ticket.status == TicketStatus.REGISTERED and \
            session.scalar(select(OutboxItem.id).where(OutboxItem.key == key)) is None:
        add_work(session, Job.ROUTE_TICKET, ticket.id, key=key, ticket_id=ticket.id)


def waits_over(session: Session, asked_before: datetime, limit: int) -> list[int]:
    """Registered tickets whose question went out before `asked_before` and whose wait nobody
    ended: the sweep refers them (a lost wake-up must not strand a ticket)."""
    return list(session.scalars(
        select(TriageState.ticket_id).join(Ticket, Ticket.id == TriageState.ticket_id)
        .where(TriageState.asking.is_not(None), TriageState.gave_up_at.is_(None),
               TriageState.asked_at <= asked_before, Ticket.status == TicketStatus.REGISTERED)
        .order_by(TriageState.asked_at).limit(limit)))
