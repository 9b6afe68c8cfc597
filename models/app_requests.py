"""What an app sent with a complaint beyond the complaint itself (Open311's service request):
which app, where, and who. Kept for the agency and the console, never shown to the public."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.intake import Complaint, IntakeRules, Opened, register


class AppRequest(Base):
    """The service request an app posted; one per ticket it opened."""

    __tablename__ = "app_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
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
                 rules: IntakeRules = IntakeRules()) -> Opened:
    """Open the ticket through intake with the request's details beside it, and commit."""
    opened = register(session, complaint, rules)
    session.add(AppRequest(ticket_id=opened.ticket.id, **vars(details)))
    session.commit()
    return opened
