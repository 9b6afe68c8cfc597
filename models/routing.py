"""Where a ticket goes: the agency unit and official for it, and who is next when it slips.

The routing job, the deadline clock and the console ("reassign to another agency") all
use these rules, so a ticket is always sent the same way whoever sends it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from models import assignment, lifecycle, notices
from models.agencies import CONSULAR_SECTOR, FOAD_SECTOR, Agency, Level, Official, Role
from models.base import utcnow
from models.carrying import Carried
from models.errors import DomainError
from models.events import Event
from models.messages import Message, Purpose
from models.outgoing import queue_text
from models.tickets import CallerKind, Ticket, TicketStatus, record
from models.timeline import has_event

NATIONAL_LEVELS = (Level.MINISTRY, Level.AFFILIATE)
"""A sector's national unit: its ministry headquarters, else a national organization."""
CONSULAR_LEVELS = (Level.AFFILIATE, Level.MINISTRY)
"""Callers abroad: the consular-affairs department first, not the ministry's head office."""
RECEIVERS = (Role.HEAD_OF_INSPECTION, Role.WORKING_GROUP, Role.SENIOR_OFFICIAL)
"""Who at an agency receives a case, in order of preference."""


class NobodyToRefer(DomainError):
    """No agency on the way up has an active official: the directory needs fixing."""


class AlreadyThere(DomainError):
    """A reassignment to the agency that already has the ticket."""


@dataclass(frozen=True)
class Referral:
    """The agency a ticket goes to, the official who gets it, and the rule that chose them."""

    agency: Agency
    official: Official
    rule: str
    """"chosen", "county", "province", "national", "consular" or "working_group"."""


def choose(session: Session, ticket: Ticket) -> Referral:
    """Where a new ticket goes, by the routing rules; up the chain if that unit has nobody."""
    agency, rule = _unit(session, ticket)
    return _staffed(session, agency, rule, ticket.province_code)


def _unit(session: Session, ticket: Ticket) -> tuple[Agency, str]:
    if ticket.agency is not None:
        return ticket.agency, "chosen"
    return by_rules(session, ticket)


def by_rules(session: Session, ticket: Ticket) -> tuple[Agency, str]:
    """The unit the rules give the ticket's sector and place (whoever has it now), and the rule."""
    if ticket.caller_kind == CallerKind.FOREIGN:
        consular = _national(_units(session, CONSULAR_SECTOR, None), CONSULAR_LEVELS)
        if consular is not None:
            return consular, "consular"
    elif ticket.sector_code and ticket.sector_code != FOAD_SECTOR:
        found = _local(session, ticket)
        if found is not None:
            return found
    return working_group(session, ticket.province_code), "working_group"


def _local(session: Session, ticket: Ticket) -> tuple[Agency, str] | None:
    """The sector's unit for the caller's county, else province, else the national unit."""
    province, county = ticket.province_code, (ticket.county or "").strip().lower()
    units = _units(session, ticket.sector_code, province)
    for agency in units:
        if county and agency.level == Level.COUNTY and (agency.county or "").lower() == county:
            return agency, "county"
    for agency in units:
        if agency.level == Level.PROVINCIAL:
            return agency, "province"
    national = _national(units, NATIONAL_LEVELS)
    return (national, "national") if national is not None else None


def _units(session: Session, sector: str, province: str | None) -> list[Agency]:
    """The sector's agencies in `province` and its national ones, in one query."""
    return list(session.scalars(_units_query(bool(province)), {"sector": sector, "province": province}).unique())


@functools.cache
def _units_query(in_province: bool) -> Select[tuple[Agency]]:
    """`_units`' statement, built once for each shape (every routing runs it)."""
    here = Agency.province_code.is_(None)
    if in_province:
        here = or_(here, Agency.province_code == bindparam("province"))
    return (select(Agency).where(Agency.sector_code == bindparam("sector"), here)
            .options(*_DIRECTORY_ONLY).order_by(Agency.id))


_DIRECTORY_ONLY = (lazyload(Agency.parent), lazyload(Agency.sector),
                   joinedload(Agency.officials).lazyload(Official.agency))
"""Routing reads the units' own columns and officials (in the same statement: the one who
receives the case is among them), and a parent only when a unit has nobody: not the joins
that the console's pages want (each parent's own parent and sector, every sector)."""


def _national(units: list[Agency], levels: tuple[Level, ...]) -> Agency | None:
    for level in levels:
        for agency in units:
            if agency.level == level and agency.province_code is None:
                return agency
    return None


def working_group(session: Session, province: str | None) -> Agency:
    """The province's FOAD working group, else the national one (which must exist)."""
    units = _units(session, FOAD_SECTOR, province)
    provincial = [a for a in units if province and a.province_code == province]
    found = provincial[0] if provincial else _national(units, NATIONAL_LEVELS)
    if found is None:
        raise NobodyToRefer("the directory has no national FOAD working group")
    return found


def next_up(session: Session, agency: Agency, province: str | None) -> Agency | None:
    """One level up: the parent; above the top of a sector, the FOAD working groups."""
    if agency.parent is not None:
        return agency.parent
    if agency.sector_code != FOAD_SECTOR:
        return working_group(session, province)
    return None  # the national FOAD working group: nobody is above it


def escalation(session: Session, agency: Agency, province: str | None) -> Referral | None:
    """Who takes a ticket whose deadline `agency` missed; None when `agency` is the top."""
    above = next_up(session, agency, province)
    if above is None:
        return None
    return _staffed(session, above, "escalation", province)


def _staffed(session: Session, agency: Agency, rule: str, province: str | None) -> Referral:
    """`agency` with the official who receives its cases; up the chain while it has none."""
    seen: set[int] = set()
    current: Agency | None = agency
    while current is not None and current.id not in seen:
        official = receiver(session, current)
        if official is not None:
            return Referral(current, official, rule)
        seen.add(current.id)
        current = next_up(session, current, province)
    raise NobodyToRefer(f"no active official at {agency.code} or above it")


def receiver(session: Session, agency: Agency) -> Official | None:
    """The active official who receives an agency's cases: its head of inspection first."""
    if "officials" in agency.__dict__:  # loaded with the unit (_units)
        officials = [o for o in agency.officials if o.active]
    else:
        officials = session.scalars(select(Official).where(
            Official.agency_id == agency.id, Official.active.is_(True)).options(lazyload(Official.agency))).unique().all()
    ranked = sorted((o for o in officials if o.role in RECEIVERS),
                    key=lambda o: (RECEIVERS.index(Role(o.role)), o.id))
    return ranked[0] if ranked else None


def assign(session: Session, ticket: Ticket, referral: Referral, at: datetime | None = None) -> None:
    """Put the ticket in the hands of the referral's agency and official; moving it to
    another agency ends its assignment to a console user."""
    release_on_move(session, ticket, referral.agency, at)
    ticket.agency, ticket.agency_id = referral.agency, referral.agency.id
    ticket.official, ticket.official_id = referral.official, referral.official.id


def release_on_move(session: Session, ticket: Ticket, agency: Agency, at: datetime | None = None) -> None:
    """End the ticket's assignment to a console user when it goes to `agency`, another one."""
    if ticket.agency_id is not None and ticket.agency_id != agency.id:
        assignment.release(session, ticket, at)


_PURPOSES = {"referral": Purpose.REFERRAL, "escalation": Purpose.ESCALATION, "reopened": Purpose.REOPENED}


def text_official(session: Session, ticket: Ticket, notice: str, *, link_base: str = "",
                  carried: Carried = ()) -> Message:
    """Text the ticket's official the case ("referral", "escalation" or "reopened" notice):
    code, category, the complaint's first words and its console link. Officials read Persian.
    `carried`: the step's writes that go out with the text (`models.carrying`)."""
    body = notices.fit(notice, "fa", "summary", code=ticket.code, category=ticket.category.label_fa,
                       summary=summary(ticket), link=console_link(link_base, ticket.code))
    return queue_text(session, number=ticket.official.mobile, body=body,
                      purpose=_PURPOSES[notice], ticket=ticket, carried=carried)


def restaff(session: Session, ticket: Ticket, at: datetime | None = None) -> Referral:
    """Put the ticket back with the active official who receives its agency's cases now (up
    the chain if it has none): the one it had may have left. NobodyToRefer when nobody can."""
    referral = _staffed(session, ticket.agency, "kept", ticket.province_code)
    assign(session, ticket, referral, at)
    return referral


def note_stuck(session: Session, ticket: Ticket, why: str, now: datetime) -> None:
    """Record, once, why nobody can be found to take the ticket (the directory needs fixing)."""
    if not has_event(session, ticket.id, Event.ROUTING_STUCK):
        record(ticket, Event.ROUTING_STUCK, at=now, note=why)


def summary(ticket: Ticket, language: str = "fa") -> str:
    """The complaint's own first words, or what kind of complaint it is when it has none."""
    if ticket.text and ticket.text.strip():
        return " ".join(ticket.text.split())
    return notices.render("voice_complaint" if ticket.voice_path else "media_complaint", language)


def console_link(base: str, code: str) -> str:
    """The ticket's page in the console, or "" when no public address is configured."""
    return f"{base}/console/tickets/{code}" if base else ""


def reassign(session: Session, ticket: Ticket, agency: Agency, actor: str, *,
             link_base: str = "", at: datetime | None = None) -> Referral:
    """Send the ticket to another agency (the console's "reassign"); the clock keeps running."""
    referral = move_to(session, ticket, agency, actor, link_base=link_base, at=at)
    session.commit()
    return referral


def move_to(session: Session, ticket: Ticket, agency: Agency, actor: str, *, link_base: str = "",
            at: datetime | None = None, rule: str = "chosen") -> Referral:
    """`reassign` in the caller's transaction; `rule` says why that agency (on the timeline)."""
    if ticket.agency_id == agency.id:
        raise AlreadyThere(f"ticket {ticket.code} is already with {agency.code}")
    referral = _staffed(session, agency, rule, ticket.province_code)
    previous = ticket.agency.code if ticket.agency else None
    at = at or utcnow()
    assign(session, ticket, referral, at)
    lifecycle.move(ticket, TicketStatus.REFERRED, actor=actor, at=at, agency=referral.agency.code,
                   official=referral.official.id, previous_agency=previous, rule=referral.rule)
    text_official(session, ticket, "referral", link_base=link_base)
    return referral
