"""The dispatcher's work: the queue of tickets nobody placed yet, placing them by hand, and
tickets an agency sends back as not its own.

The queue holds open tickets held at a FOAD working group (routing could not place them, an
escalation or a return brought them there) and registered tickets waiting for their
citizen's answer, oldest first. A dispatcher (a supervisor, or a member of a working group)
accepts triage's suggestions or chooses the sector, agency, category and province; every
change is on the timeline with who made it. The answer clock keeps running throughout: it
counts from registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import placing, routing
from models.agencies import FOAD_SECTOR, Agency, Sector
from models.base import utcnow
from models.categories import Category
from models.errors import DomainError, IllegalTransition, UnknownAgency, UnknownCategory, UnknownProvince, \
    UnknownSector
from models.events import Event
from models.placing import TriageState
from models.provinces import BY_CODE
from models.tickets import Ticket, TicketEvent, TicketStatus, record

HELD = (TicketStatus.REFERRED, TicketStatus.ACKNOWLEDGED, TicketStatus.ESCALATED)
"""The statuses of a ticket an agency holds (and may send back)."""
CHOSEN = ("sector", "agency", "category", "province")
"""What a dispatcher chooses for a ticket."""


class NothingToAccept(DomainError):
    """Triage suggested neither a service nor an agency for the ticket: choose one."""


class NoReason(DomainError):
    """A ticket sent back with no reason for the dispatcher to read."""


class AlreadyWithDispatcher(DomainError):
    """A ticket sent back that is already at a working group."""


@dataclass(frozen=True)
class Choice:
    """What a dispatcher chose; None leaves a field as it is."""

    sector: str | None = None
    agency: str | None = None
    """An agency's code."""
    category: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class Scope:
    """Whose queue: the provinces of the waiting tickets and the agencies of the held ones a
    dispatcher sees; None means every one (a supervisor, the national working group)."""

    provinces: frozenset[str] | None = None
    agencies: frozenset[int] | None = None


def queue(session: Session, scope: Scope = Scope(), limit: int = 100) -> list[Ticket]:
    """The tickets waiting for a dispatcher in `scope`, oldest first."""
    waiting = and_(Ticket.status == TicketStatus.REGISTERED, TriageState.asking.is_not(None),
                   TriageState.gave_up_at.is_(None))
    held = and_(Ticket.status.in_(HELD), Agency.sector_code == FOAD_SECTOR)
    if scope.provinces is not None:
        waiting = and_(waiting, Ticket.province_code.in_(scope.provinces))
    if scope.agencies is not None:
        held = and_(held, Ticket.agency_id.in_(scope.agencies))
    query = (select(Ticket).outerjoin(TriageState, TriageState.ticket_id == Ticket.id)
             .outerjoin(Agency, Agency.id == Ticket.agency_id).where(or_(waiting, held))
             .order_by(Ticket.registered_at, Ticket.id).limit(limit))
    return list(session.scalars(query).unique())


def wait_ends(session: Session, ticket_ids: Iterable[int], wait: timedelta) -> dict[int, datetime]:
    """When routing stops waiting for each ticket's citizen (those with a question open)."""
    rows = session.execute(select(TriageState.ticket_id, TriageState.asked_at).where(
        TriageState.ticket_id.in_(list(ticket_ids)), TriageState.asking.is_not(None),
        TriageState.gave_up_at.is_(None), TriageState.asked_at.is_not(None)))
    return {ticket_id: asked_at + wait for ticket_id, asked_at in rows}


def readings(session: Session, ticket_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The latest reading of each ticket's text (a `triaged` event's), by ticket id."""
    found: dict[int, dict[str, Any]] = {}
    for ticket_id, data in session.execute(select(TicketEvent.ticket_id, TicketEvent.data).where(
            TicketEvent.ticket_id.in_(list(ticket_ids)), TicketEvent.kind == Event.TRIAGED)
            .order_by(TicketEvent.id)):
        found[ticket_id] = data.get("reading", {})
    return found


def suggested(reading: dict[str, Any] | None) -> Choice:
    """The choice triage's reading suggests (sure or not: a person accepts it)."""
    values = {name: (reading or {}).get(name, {}).get("value") for name in CHOSEN}
    return Choice(**values)


def accept(session: Session, ticket: Ticket, actor: str, *, link_base: str = "",
           at: datetime | None = None) -> None:
    """Take triage's suggestions for the ticket and send it on (see `place`)."""
    choice = suggested(readings(session, [ticket.id]).get(ticket.id))
    if choice.sector is None and choice.agency is None:
        raise NothingToAccept(f"triage suggested no service for ticket {ticket.code}")
    place(session, ticket, choice, actor, link_base=link_base, at=at, accepted=True)


def place(session: Session, ticket: Ticket, choice: Choice, actor: str, *, link_base: str = "",
          at: datetime | None = None, accepted: bool = False) -> None:
    """Set what the dispatcher chose (`accepted`: triage's suggestions) and send the ticket
    on, and commit: a registered one to routing at once (its question closed), a held one to
    the agency chosen, else to the one the rules give its sector and province. A held one
    stays when neither changed. The dispatcher's act is on the timeline, changes or none."""
    at = at or utcnow()
    agency = _agency(session, choice.agency)
    changes = _set(session, ticket, choice, agency)
    record(ticket, Event.PLACE_SET, actor=actor, at=at, changes=changes, accepted=accepted)
    state = placing.state_of(session, ticket)
    state.fix(*changes)
    state.asking = None
    if ticket.status == TicketStatus.REGISTERED:
        placing.route_now(session, ticket)
    elif ticket.status in HELD and (agency is not None or {"sector", "province"} & set(changes)):
        target, rule = (agency, "chosen") if agency is not None else routing.by_rules(session, ticket)
        routing.move_to(session, ticket, target, actor, link_base=link_base, at=at, rule=rule)
    elif ticket.status not in HELD:
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}: nobody dispatches it now")
    session.commit()


def correct(session: Session, ticket: Ticket, *, category: str | None, province: str | None, actor: str,
            at: datetime | None = None) -> dict[str, list[str | None]]:
    """Set a ticket's category or province (any ticket; it stays where it is), on the timeline
    with who did it, and commit; the changes made."""
    changes = _set(session, ticket, Choice(category=category, province=province), None)
    if changes:
        record(ticket, Event.PLACE_SET, actor=actor, at=at or utcnow(), changes=changes)
        placing.state_of(session, ticket).fix(*changes)
    session.commit()
    return changes


def _agency(session: Session, code: str | None) -> Agency | None:
    if not code:
        return None
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None or agency.sector_code == FOAD_SECTOR:
        raise UnknownAgency(f"no agency has the code {code!r}")
    return agency


def _set(session: Session, ticket: Ticket, choice: Choice, agency: Agency | None) -> dict[str, list[str | None]]:
    """Write the choice on the ticket; what changed, field by field: [old, new]."""
    _check(session, choice)
    changes = _changes(ticket, choice, agency)
    for name in ("sector", "category", "province"):
        if name in changes:
            setattr(ticket, f"{name}_code", changes[name][1])
    if ticket.status == TicketStatus.REGISTERED and (agency is not None or "sector" in changes):
        # A held ticket moves through routing, on its timeline; a registered one goes where
        # it is put (another service with no agency chosen: the rules find its unit).
        ticket.agency = agency
    return changes


def _changes(ticket: Ticket, choice: Choice, agency: Agency | None) -> dict[str, list[str | None]]:
    """Each field the choice changes: [old, new]. An agency brings its sector and province."""
    wanted = {"sector": agency.sector_code if agency else choice.sector, "category": choice.category,
              "province": (agency.province_code if agency else None) or choice.province}
    changes: dict[str, list[str | None]] = {
        name: [getattr(ticket, f"{name}_code"), value] for name, value in wanted.items()
        if value is not None and getattr(ticket, f"{name}_code") != value}
    held_by = ticket.agency.code if ticket.agency else None
    if agency is not None and held_by != agency.code:
        changes["agency"] = [held_by, agency.code]
    return changes


def _check(session: Session, choice: Choice) -> None:
    if choice.province is not None and choice.province not in BY_CODE:
        raise UnknownProvince(f"no province {choice.province!r}")
    if choice.sector is not None and (choice.sector == FOAD_SECTOR or session.get(Sector, choice.sector) is None):
        raise UnknownSector(f"no sector {choice.sector!r}")
    if choice.category is not None and session.get(Category, choice.category) is None:
        raise UnknownCategory(f"no complaint category {choice.category!r}")


def can_send_back(ticket: Ticket) -> bool:
    """Whether the ticket is an agency's to return to the dispatcher (see `send_back`)."""
    return ticket.status in HELD and not (ticket.agency is not None and ticket.agency.sector_code == FOAD_SECTOR)


def send_back(session: Session, ticket: Ticket, reason: str, actor: str, *, link_base: str = "",
              at: datetime | None = None) -> routing.Referral:
    """An agency's inspector returns a misrouted ticket to the dispatcher: it goes to the
    working group of its province (else the national one) with the reason on its timeline,
    and the clock keeps running. Commits."""
    reason = " ".join(reason.split())
    if not reason:
        raise NoReason("say why the ticket is not this agency's")
    if ticket.status not in HELD:
        raise IllegalTransition(f"ticket {ticket.code} is {ticket.status}: it cannot be sent back")
    if ticket.agency is not None and ticket.agency.sector_code == FOAD_SECTOR:
        raise AlreadyWithDispatcher(f"ticket {ticket.code} is with a working group already")
    at = at or utcnow()
    record(ticket, Event.RETURNED, actor=actor, at=at, note=reason, agency=ticket.agency.code if ticket.agency else None)
    group = routing.working_group(session, ticket.province_code)
    referral = routing.move_to(session, ticket, group, actor, link_base=link_base, at=at, rule="returned")
    session.commit()
    return referral
