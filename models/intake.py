"""The one intake service: the only way any channel opens a ticket."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import ColumnElement, Row, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import errors, notices, placing, search, tracking
from models.agencies import Agency, Sector
from models.base import utcnow
from models.blocklist import blocking
from models.calls import Call
from models.categories import OTHER, Category
from models.media import attach
from models.messages import Message, MessageStatus, Purpose
from models.outbox import Job, add_work
from models.outgoing import queue_text
from models.phones import Caller, identify
from models.placing import Placement
from models.provinces import BY_CODE
from models.settings import Settings
from models.tickets import Ticket, TicketStatus, Via, record

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 8
"""Fresh codes tried when one is taken; with 10^9 codes a second try is already rare."""
CODE_TAKEN = frozenset({"uq_tickets_code", "UNIQUE constraint failed: tickets.code"})
"""A clash on tickets.code as each database names it: PostgreSQL the unique constraint (named
by models.base.NAMING), SQLite the column. Only this clash is cured by drawing a fresh code."""


@dataclass(frozen=True)
class Complaint:
    """A complaint as a channel hands it over, already out of its protocol."""

    via: Via
    caller: str | None
    """The caller id or sender exactly as received; intake normalizes it."""
    text: str | None = None
    voice_path: str | None = None
    sector: str | None = None
    agency_id: int | None = None
    category: str = OTHER
    province: str | None = None
    county: str | None = None
    language: str = "fa"
    media: Sequence[tuple[str, str]] = ()
    """(URL, content type) of each photo or video; a job fetches them."""
    origin: Call | Message | None = None
    """The call or inbound message that carried it; linked in the same transaction."""


@dataclass(frozen=True)
class IntakeRules:
    """The limits intake enforces; built from the settings by each entry point."""

    max_per_hour: int = 5
    """New complaints one number may open in an hour (withheld numbers are not counted)."""
    codes: Callable[[], str] = field(default=tracking.new_code)
    """Where tracking codes come from (tests hand it a source that collides)."""

    @classmethod
    def from_settings(cls, settings: "Settings") -> "IntakeRules":
        """The rules the operator configured."""
        return cls(max_per_hour=settings.max_complaints_per_hour)


@dataclass(frozen=True)
class Opened:
    """The ticket that was opened and whether its code was also queued as an SMS."""

    ticket: Ticket
    code_texted: bool
    placement: Placement | None = None
    """What reading its text did (None without a text): the questions a channel may ask."""


def open_ticket(session: Session, complaint: Complaint, rules: IntakeRules = IntakeRules(),
                *, now: datetime | None = None) -> Opened:
    """Validate, create the ticket with its code, first event and routing work; commit."""
    opened = register(session, complaint, rules, now=now)
    session.commit()
    log.info("ticket opened", extra={"ticket": opened.ticket.code, "via": opened.ticket.via,
                                     **_origin(complaint)})
    return opened


def register(session: Session, complaint: Complaint, rules: IntakeRules = IntakeRules(),
             *, now: datetime | None = None) -> Opened:
    """`open_ticket` in the caller's transaction, for a caller that commits the ticket
    together with writes of its own (the SMS answer job: the ticket and its reply)."""
    now = now or utcnow()
    caller = identify(complaint.caller)
    _check(session, complaint, caller, rules, now)
    ticket = _new_ticket(complaint, caller, now)
    # Read before the insert: the values triage is sure of are stored with the ticket.
    placement = placing.place(session, ticket, complaint.text, _fixed(complaint), caller)
    _insert_with_code(session, ticket, rules.codes)
    record(ticket, TicketStatus.REGISTERED, actor="citizen", at=now, via=complaint.via.value)
    search.add(session, ticket.id, ticket.text)
    placing.note(ticket, placement, now)
    add_work(session, Job.ROUTE_TICKET, ticket.id, key=f"route_ticket:{ticket.id}", ticket_id=ticket.id)
    attach(session, ticket, complaint.media,
           complaint.origin if isinstance(complaint.origin, Message) else None)
    texted = _text_code(session, ticket, complaint)
    if complaint.origin is not None:
        complaint.origin.ticket = ticket
    return Opened(ticket, texted, placement)


def _fixed(c: Complaint) -> frozenset[str]:
    return placing.fixed_by(sector=c.sector, agency_id=c.agency_id, category=c.category,
                            province=c.province, county=c.county)


def _check(session: Session, c: Complaint, caller: Caller, rules: IntakeRules, now: datetime) -> None:
    if not ((c.text or "").strip() or c.voice_path or c.media):
        raise errors.EmptyComplaint("a complaint needs a text, a recording or a photo")
    if c.province is not None and c.province not in BY_CODE:
        raise errors.UnknownProvince(f"no province {c.province!r}")
    facts = _facts(session, c, caller.e164, now)
    if facts.blocked:
        raise errors.Blocked("this number is blocked")
    if not facts.category:
        raise errors.UnknownCategory(f"no complaint category {c.category!r}")
    if not facts.sector:
        raise errors.UnknownSector(f"no sector {c.sector!r}")
    if not facts.agency:
        raise errors.UnknownAgency(f"no agency {c.agency_id}")
    if facts.recent >= rules.max_per_hour:
        raise errors.TooManyComplaints("too many complaints from this number in the last hour")


def _facts(session: Session, c: Complaint, number: str | None, now: datetime) -> Row[Any]:
    """Everything intake checks in the database, in one round trip: intake is every
    channel's hot path. Columns: blocked, recent (tickets in the last hour), and whether
    the category, sector and agency exist (true when not given)."""
    blocked, recent = literal(False), literal(0)
    if number is not None:
        blocked = blocking(number, now).exists()
        recent = select(func.count()).where(
            Ticket.caller == number, Ticket.registered_at > now - timedelta(hours=1)
        ).scalar_subquery()
    return session.execute(select(
        blocked.label("blocked"),
        recent.label("recent"),
        select(Category.code).where(Category.code == c.category).exists().label("category"),
        _exists_or_true(Sector.code, c.sector).label("sector"),
        _exists_or_true(Agency.id, c.agency_id).label("agency"),
    )).one()


def _exists_or_true(column: InstrumentedAttribute[Any], value: object) -> ColumnElement[bool]:
    return literal(True) if value is None else select(column).where(column == value).exists()


def _new_ticket(c: Complaint, caller: Caller, now: datetime) -> Ticket:
    province = c.province or (caller.province.code if caller.province else None)
    return Ticket(
        via=c.via, caller=caller.e164, caller_kind=caller.kind, caller_country=caller.country,
        province_code=province, county=c.county, sector_code=c.sector, agency_id=c.agency_id,
        category_code=c.category, text=c.text, voice_path=c.voice_path,
        language="en" if c.language == "en" else "fa", registered_at=now, last_step_at=now,
        events=[],  # a new ticket has no timeline yet: no need to load one
    )


def _insert_with_code(session: Session, ticket: Ticket, codes: Callable[[], str]) -> None:
    """Give the ticket a code the unique constraint accepts, trying fresh ones on a clash."""
    session.flush()  # so that only the ticket's own insert can fail inside the savepoint
    for _ in range(CODE_ATTEMPTS):
        ticket.code = codes()
        try:
            with session.begin_nested():
                session.add(ticket)
        except IntegrityError as exc:
            refused_by = _refused_by(exc)
            if refused_by not in CODE_TAKEN:
                raise errors.TicketNotStored(f"the database refused the ticket: {refused_by}") from exc
            log.warning("tracking code taken, drawing another", extra={"ticket": ticket.code})
            continue
        return
    raise errors.NoFreeCode(f"no free tracking code after {CODE_ATTEMPTS} tries")


def _refused_by(exc: IntegrityError) -> str:
    """What refused the insert, without the values (a caller's number) it held: the
    constraint PostgreSQL names, else its message; SQLite's message names only columns."""
    diag = getattr(exc.orig, "diag", None)
    if diag is None:
        return str(exc.orig)
    return diag.constraint_name or diag.message_primary or "an integrity constraint"


def _text_code(session: Session, ticket: Ticket, c: Complaint) -> bool:
    """Text the code to a caller who can read it; an SMS complaint has it in the reply."""
    if c.via is Via.SMS or not ticket.can_receive_sms or ticket.caller is None:
        return False
    body = notices.render("tracking_code", ticket.language, code=ticket.code)
    message = queue_text(session, number=ticket.caller, body=body, purpose=Purpose.TRACKING_CODE,
                         ticket=ticket)
    return message.status is not MessageStatus.OPTED_OUT


def _origin(c: Complaint) -> dict[str, str]:
    if isinstance(c.origin, Call):
        return {"call": c.origin.uniqueid}
    if isinstance(c.origin, Message) and c.origin.provider_id:
        return {"message_sid": c.origin.provider_id}
    return {}
