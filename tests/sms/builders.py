"""Tickets in the states the SMS rules look for, made through the real services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import actions, lifecycle
from models.agencies import Official
from models.tickets import Ticket, TicketStatus
from tests.builders import agency, make_ticket
from tests.sms.webhooks import CITIZEN
from worker.textback import send_survey, text_back


def fresh(session: Session, ticket: Ticket) -> Ticket:
    """The ticket as the database has it now."""
    session.rollback()
    session.expire_all()
    return session.get(Ticket, ticket.id)


def referred(session: Session, agency_code: str = "BMI-TEH", caller: str = CITIZEN,
             official: Official | None = None, **overrides) -> Ticket:
    """A ticket referred to an agency (and its head of inspection, unless told otherwise)."""
    ticket = make_ticket(session, caller=caller, **overrides)
    unit = agency(session, agency_code)
    ticket.agency = unit
    ticket.official = official or unit.officials[0]
    lifecycle.move(ticket, TicketStatus.REFERRED, actor="system")
    session.commit()
    return ticket


def surveyed(session: Session, caller: str = CITIZEN) -> Ticket:
    """A resolved ticket whose citizen was texted the result, then the satisfaction survey
    (the text-back jobs, run here at once)."""
    ticket = referred(session, caller=caller)
    actions.resolve(session, ticket, "کارمند تذکر گرفت", actor="official:1")
    text_back(ticket.id)
    send_survey(ticket.id)
    return ticket
