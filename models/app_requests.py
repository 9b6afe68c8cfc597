"""What an app sent with a complaint beyond the complaint itself (Open311's service request):
which app, where, and who. Kept beside the ticket, never shown to the public.

An app that posts again because the answer was lost (a phone's connection dropped) sends the
same fields: within RESENT_WITHIN the same key's same fields get the ticket they opened, not a
second one (a unique fingerprint of the key, the fields and the time window).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.intake import Complaint, IntakeRules, register
from models.tickets import Ticket

log = logging.getLogger(__name__)


RESENT_WITHIN = timedelta(minutes=10)
"""How long the same fields from the same key count as the same request sent again."""


class AppRequest(Base):
    """The service request an app posted; one per ticket it opened."""

    __tablename__ = "app_requests"
    # One ticket per key, fields and window: a request sent again finds the first one's.
    __table_args__ = (UniqueConstraint("api_key_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the window (RESENT_WITHIN) and every field posted but the key."""
    service_code: Mapped[str] = mapped_column(String(90))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_string: Mapped[str | None] = mapped_column(Text)
    address_id: Mapped[str | None] = mapped_column(String(120))
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    device_id: Mapped[str | None] = mapped_column(String(120))
    account_id: Mapped[str | None] = mapped_column(String(120))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """attribute[code] as posted (a list for a multivaluelist), the ones we read included."""
    media_url: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Details:
    """The request's fields that are not the complaint: stored beside the ticket."""

    api_key_id: int
    service_code: str
    fields: str
    """Every field posted but the key, in a stable order: what makes two posts the same."""
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    media_url: str | None = None


def file_request(session: Session, complaint: Complaint, details: Details,
                 rules: IntakeRules = IntakeRules(), *, now: datetime | None = None) -> Ticket:
    """Open the ticket through intake with the request's details beside it, and commit; the
    same request sent again within RESENT_WITHIN gets the ticket it opened the first time."""
    now = now or utcnow()
    fingerprint = _fingerprint(details, now)
    ticket = register(session, complaint, rules, now=now).ticket
    row = {k: v for k, v in vars(details).items() if k != "fields"}
    try:
        # A statement built once, as intake's own writes (the ORM's flush costs more than it).
        session.connection().execute(_INSERT, {**row, "ticket_id": ticket.id, "fingerprint": fingerprint})
        session.commit()
    except IntegrityError:
        session.rollback()  # nothing of this second copy stays: no ticket, no text
        first = session.scalar(select(Ticket).join(AppRequest, AppRequest.ticket_id == Ticket.id).where(
            AppRequest.api_key_id == details.api_key_id, AppRequest.fingerprint == fingerprint))
        if first is None:
            raise
        log.info("open311 request sent again", extra={"ticket": first.code, "api_key": details.api_key_id})
        return first
    log.info("ticket opened", extra={"ticket": ticket.code, "via": ticket.via, "api_key": details.api_key_id})
    return ticket


_INSERT = insert(AppRequest.__table__)


def _fingerprint(details: Details, now: datetime) -> str:
    window = int(now.timestamp() // RESENT_WITHIN.total_seconds())
    return hashlib.sha256(f"{details.api_key_id}:{window}:{details.fields}".encode()).hexdigest()
