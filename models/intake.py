"""The one intake service: the only way any channel opens a ticket."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import ColumnElement, bindparam, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import errors, new_ticket, notices, placing, tracking
from models.agencies import Agency, Sector
from models.base import utcnow
from models.blocklist import blocking
from models.calls import Call
from models.categories import OTHER, Category
from models.db import blank
from models.events import Event
from models.lean import Lean
from models.media import attach
from models.messages import Message, MessageStatus, Purpose
from models.outgoing import queue_text
from models.phones import Caller, identify
from models.placing import Placement
from models.provinces import BY_CODE
from models.settings import Settings
from models.tickets import Ticket, TicketStatus, Via, event_row
from models.triage import MARK

log = logging.getLogger(__name__)

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
    facts = _check(session, complaint, caller, rules, now)
    draft = _new_ticket(complaint, caller, now)
    # Read before the insert: the values triage is sure of are stored with the ticket.
    placement = placing.place(session, draft, complaint.text, _fixed(complaint), caller,
                              (facts.agencies, facts.directory_changed))
    # Every channel's hot path: the ticket, its first events, its search words and its
    # routing work are written together, without the ORM's unit of work (models.new_ticket).
    first = [event_row(TicketStatus.REGISTERED, actor="citizen", at=now, via=complaint.via.value)]
    if placing.suggested(placement):
        first.append(event_row(Event.TRIAGED, at=now, **placement.as_event()))
    ticket = new_ticket.write(session, draft, rules.codes, first)
    attach(session, ticket, complaint.media,
           complaint.origin if isinstance(complaint.origin, Message) else None)
    texted = _text_code(session, ticket, complaint)
    if complaint.origin is not None:
        complaint.origin.ticket = ticket
    return Opened(ticket, texted, placement)


def _fixed(c: Complaint) -> frozenset[str]:
    return placing.fixed_by(sector=c.sector, agency_id=c.agency_id, category=c.category,
                            province=c.province, county=c.county)


def _check(session: Session, c: Complaint, caller: Caller, rules: IntakeRules, now: datetime) -> Any:
    """Refuse what intake must not store; the facts read (`_facts`) when it may."""
    if not ((c.text or "").strip() or c.voice_path or c.media):
        raise errors.EmptyComplaint("a complaint needs a text, a recording or a photo")
    if c.province is not None and c.province not in BY_CODE:
        raise errors.UnknownProvince(f"no province {c.province!r}")
    facts = _facts(caller.e164 is not None, c.sector is not None, c.agency_id is not None).first(
        session.connection(), {"number": caller.e164, "now": now, "since": now - timedelta(hours=1),
                               "category": c.category, "sector": c.sector, "agency": c.agency_id})
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
    return facts


@functools.cache
def _facts(number: bool, sector: bool, agency: bool) -> Lean:
    """Everything intake reads from the database, in one round trip (intake is every
    channel's hot path), built once for each shape of complaint. Columns: blocked, recent
    (tickets in the last hour), whether the category, sector and agency exist (true when
    not given), and the directory's mark (agencies, directory_changed) for triage's index.
    Parameters: number, now, since, category, sector, agency."""
    blocked, recent = literal(False), literal(0)
    if number:
        blocked = blocking(bindparam("number"), bindparam("now")).exists()
        recent = select(func.count()).where(
            Ticket.caller == bindparam("number"), Ticket.registered_at > bindparam("since")
        ).scalar_subquery()
    agencies, changed = MARK.selected_columns
    return Lean(select(
        blocked.label("blocked"),
        recent.label("recent"),
        select(Category.code).where(Category.code == bindparam("category")).exists().label("category"),
        _exists_or_true(Sector.code, "sector" if sector else None).label("sector"),
        _exists_or_true(Agency.id, "agency" if agency else None).label("agency"),
        select(agencies).scalar_subquery().label("agencies"),
        select(changed).scalar_subquery().label("directory_changed"),
    ))


def _exists_or_true(column: InstrumentedAttribute[Any], parameter: str | None) -> ColumnElement[bool]:
    """Whether a row has `column` equal to the named parameter; true when none is named."""
    return literal(True) if parameter is None else select(column).where(column == bindparam(parameter)).exists()


def _new_ticket(c: Complaint, caller: Caller, now: datetime) -> Ticket:
    """The ticket's draft: what triage reads and fills in before its row is written (never
    added to the session: models.new_ticket writes its values, so it is made bare)."""
    province = c.province or (caller.province.code if caller.province else None)
    draft = blank(Ticket)
    draft.__dict__.update(
        via=c.via, caller=caller.e164, caller_kind=caller.kind, caller_country=caller.country,
        province_code=province, county=c.county, sector_code=c.sector, agency_id=c.agency_id,
        category_code=c.category, text=c.text, voice_path=c.voice_path,
        language="en" if c.language == "en" else "fa", status=TicketStatus.REGISTERED,
        escalation_level=0, reopens=0, registered_at=now, last_step_at=now,
    )
    return draft


def _text_code(session: Session, ticket: Ticket, c: Complaint) -> bool:
    """Text the code to a caller who can read it; an SMS complaint has it in the reply."""
    if c.via is Via.SMS or not ticket.can_receive_sms or ticket.caller is None:
        return False
    body = notices.render("tracking_code", ticket.language, code=ticket.code)
    message = queue_text(session, number=ticket.caller, body=body, purpose=Purpose.TRACKING_CODE,
                         ticket=ticket)
    return message.status != MessageStatus.OPTED_OUT


def _origin(c: Complaint) -> dict[str, str]:
    if isinstance(c.origin, Call):
        return {"call": c.origin.uniqueid}
    if isinstance(c.origin, Message) and c.origin.provider_id:
        return {"message_sid": c.origin.provider_id}
    return {}
