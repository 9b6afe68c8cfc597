"""What anyone holding a tracking code may learn: status, agency and stage time, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import tracking
from models.base import utcnow
from models.errors import TicketNotFound
from models.lifecycle import OPEN
from models.tickets import Ticket, TicketStatus

STATUS_LABELS: dict[TicketStatus, tuple[str, str]] = {
    TicketStatus.REGISTERED: ("ثبت شده", "registered"),
    TicketStatus.REFERRED: ("ارجاع شده به دستگاه", "referred to the agency"),
    TicketStatus.ACKNOWLEDGED: ("در دست بررسی", "being examined"),
    TicketStatus.ESCALATED: ("ارجاع به مقام بالاتر", "escalated"),
    TicketStatus.RESOLVED: ("پاسخ داده شده", "answered"),
    TicketStatus.REOPENED: ("بازگشایی شده", "reopened"),
    TicketStatus.CLOSED: ("بسته شده", "closed"),
    TicketStatus.REJECTED: ("خارج از حوزهٔ ۱۲۸", "outside the scope of 128"),
    TicketStatus.DUPLICATE: ("تکراری", "duplicate"),
    TicketStatus.NUISANCE: ("مزاحمت", "nuisance"),
}
"""How each status is named to citizens (Persian, English)."""


@dataclass(frozen=True)
class PublicStatus:
    """A ticket as a citizen asking about it may see it."""

    code: str
    status: TicketStatus
    agency_fa: str | None
    agency_en: str | None
    last_step_at: datetime
    due_at: datetime | None
    remaining: timedelta | None
    """Time left of the answer deadline while the ticket is open; None once answered."""

    def label(self, language: str = "fa") -> str:
        """The status in words."""
        fa, en = STATUS_LABELS[self.status]
        return en if language == "en" else fa


def find_by_code(session: Session, code: str) -> Ticket:
    """The ticket with this code (as typed: any digits, dashes); InvalidCode or TicketNotFound."""
    clean = tracking.parse(code)
    ticket = session.scalar(select(Ticket).where(Ticket.code == clean))
    if ticket is None:
        raise TicketNotFound(f"no ticket has the code {clean}")
    return ticket


def public_status(session: Session, code: str, *, now: datetime | None = None) -> PublicStatus:
    """The status answer for `code`: safe to give anyone who holds the code."""
    ticket = find_by_code(session, code)
    now = now or utcnow()
    remaining = None
    if ticket.status in OPEN and ticket.due_at is not None:
        remaining = max(ticket.due_at - now, timedelta(0))
    return PublicStatus(
        code=ticket.code,
        status=TicketStatus(ticket.status),
        agency_fa=ticket.agency.name_fa if ticket.agency else None,
        agency_en=ticket.agency.name_en if ticket.agency else None,
        last_step_at=ticket.last_step_at,
        due_at=ticket.due_at,
        remaining=remaining,
    )
