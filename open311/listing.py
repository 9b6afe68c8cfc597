"""GET requests and GET requests/{id}: the public status of service requests, with no personal
data in them (no names, numbers, complaint words, places or photos)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from models import choices, tracking
from models.agencies import Sector
from models.base import utcnow
from models.errors import InvalidCode
from models.lifecycle import OPEN
from models.lookup import STATUS_LABELS
from models.persian import TEHRAN
from models.tickets import Ticket, TicketStatus, Via
from open311 import catalogue
from open311.documents import ApiError

SPAN = timedelta(days=90)
"""The longest date range one query may cover, and the default range (the last 90 days)."""
MAX_PAGE_SIZE = 1000
"""Requests one answer holds at most: the specification's default query limit."""
FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url")
"""A request's fields in the specification's order. Those not filled in below are always
empty: the description, address, place and media could name or place a person."""


@dataclass(frozen=True)
class Query:
    """GET requests' filters as given."""

    ids: list[str]
    services: list[str]
    statuses: list[str]
    start: datetime
    end: datetime
    page: int
    page_size: int


def read_query(args: MultiDict[str, str], now: datetime | None = None) -> Query:
    """The filters of GET requests; ApiError 400 for any the specification does not allow."""
    start, end = _date(args, "start_date"), _date(args, "end_date")
    now = now or utcnow()
    end = end or (start + SPAN if start else now)
    start = start or end - SPAN
    if not start <= end <= start + SPAN:
        raise ApiError(400, "start_date must come before end_date, at most 90 days before it")
    statuses = _list(args, "status")
    if set(statuses) - {"open", "closed"}:
        raise ApiError(400, "status must be open or closed")
    return Query(_list(args, "service_request_id"), _list(args, "service_code"), statuses, start, end,
                 _whole(args, "page", 1, None), _whole(args, "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE))


def find(session: Session, query: Query) -> list[Ticket]:
    """The tickets a query names: by id (any way in; this overrides the other filters), else
    the requests apps filed, newest first, a page at a time."""
    if query.ids:
        return list(session.scalars(select(Ticket).where(Ticket.code.in_(_codes(query.ids)))))
    chosen = (select(Ticket).where(Ticket.via == Via.APP, Ticket.registered_at >= query.start,
                                   Ticket.registered_at <= query.end)
              .order_by(Ticket.registered_at.desc(), Ticket.id.desc()))
    chosen = _by_service(_by_status(chosen, query.statuses), query.services)
    offset = (query.page - 1) * query.page_size
    return list(session.scalars(chosen.offset(offset).limit(query.page_size)))


def one(session: Session, request_id: str) -> Ticket:
    """The ticket of one service_request_id; ApiError 404 when there is none."""
    found = find(session, Query([request_id], [], [], utcnow(), utcnow(), 1, 1))
    if not found:
        raise ApiError(404, f"service_request_id {request_id!r} was not found")
    return found[0]


def documents(session: Session, tickets: list[Ticket]) -> list[dict[str, Any]]:
    """The `request` elements of `tickets`."""
    sectors = {s.code: choices.Choice(s.code, s.name_fa, s.name_en) for s in session.scalars(select(Sector))}
    return [document(ticket, sectors) for ticket in tickets]


def document(ticket: Ticket, sectors: dict[str, choices.Choice]) -> dict[str, Any]:
    """One `request` element, in the language the complaint was made in."""
    language, agency = ticket.language, ticket.agency
    service = sectors.get(ticket.sector_code or "", choices.OTHER_SERVICE)
    category = choices.Choice(ticket.category_code, ticket.category.label_fa, ticket.category.label_en)
    filed_under = catalogue.Service(service, category)
    filled = {
        "service_request_id": ticket.code,
        "status": "open" if ticket.status in OPEN else "closed",
        "status_notes": STATUS_LABELS[TicketStatus(ticket.status)][1 if language == "en" else 0],
        "service_name": filed_under.name(language),
        "service_code": filed_under.code,
        "agency_responsible": catalogue.agency_name(agency, language) if agency else None,
        "requested_datetime": w3(ticket.registered_at),
        "updated_datetime": w3(ticket.last_step_at),
        "expected_datetime": w3(ticket.due_at) if ticket.due_at else None,
    }
    return {name: filled.get(name) for name in FIELDS}


def w3(moment: datetime) -> str:
    """A moment as the specification writes it: ISO 8601 with its offset, in Tehran time."""
    return moment.astimezone(TEHRAN).isoformat(timespec="seconds")


def _codes(ids: list[str]) -> list[str]:
    codes = []
    for raw in ids:
        try:
            codes.append(tracking.parse(raw))
        except InvalidCode:
            continue  # no ticket can have it: it is simply not found
    return codes


def _by_status(chosen: Select[tuple[Ticket]], statuses: list[str]) -> Select[tuple[Ticket]]:
    if set(statuses) == {"open"}:
        return chosen.where(Ticket.status.in_(OPEN))
    if set(statuses) == {"closed"}:
        return chosen.where(Ticket.status.not_in(OPEN))
    return chosen


def _by_service(chosen: Select[tuple[Ticket]], codes: list[str]) -> Select[tuple[Ticket]]:
    if not codes:
        return chosen
    pairs = [code.split(catalogue.SEPARATOR, 1) for code in codes if catalogue.SEPARATOR in code]
    wanted = [(Ticket.sector_code.is_(None) if service == "other" else Ticket.sector_code == service)
              & (Ticket.category_code == category) for service, category in pairs]
    return chosen.where(or_(*wanted)) if wanted else chosen.where(Ticket.id.is_(None))


def _list(args: MultiDict[str, str], name: str) -> list[str]:
    """A comma-delimited argument, which may also be given several times."""
    return [part.strip() for value in args.getlist(name) for part in value.split(",") if part.strip()]


def _date(args: MultiDict[str, str], name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(400, f"{name} must be a w3 datetime with its offset, e.g. 2010-01-01T00:00:00Z")
    return moment


def _whole(args: MultiDict[str, str], name: str, default: int, most: int | None) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        raise ApiError(400, f"{name} must be a whole number from 1{f' to {most}' if most else ''}")
    return int(raw)
