"""Builders for test data, through the real services: `make_ticket(session, **overrides)`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import Agency
from models.intake import Complaint, IntakeRules, open_ticket
from models.tickets import Ticket, Via

NEUTRAL = "امروز رفتم و کارم انجام نشد"
"""A complaint's words that name no service, place or kind of fault: triage reads nothing in
them, so a builder's ticket goes where its fields say (a test about triage gives its own)."""


def make_ticket(session: Session, rules: IntakeRules | None = None, **overrides: Any) -> Ticket:
    """A ticket opened through the intake service: an SMS complaint from a mobile by default."""
    fields: dict[str, Any] = {"via": Via.SMS, "caller": "09121234567", "text": NEUTRAL}
    fields.update(overrides)
    return open_ticket(session, Complaint(**fields), rules or IntakeRules(max_per_hour=1000)).ticket


def agency(session: Session, code: str) -> Agency:
    """An agency of the sample directory by its code."""
    return session.scalars(select(Agency).where(Agency.code == code)).unique().one()
