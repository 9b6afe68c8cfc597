"""A complaint typed on the web page becomes a ticket once its mobile number is confirmed."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models.choices import sector_of
from models.intake import Complaint, IntakeRules, register
from models.phone_checks import PhoneCheck
from models.tickets import Ticket, Via
from models.uploads import Stored, attach_stored

log = logging.getLogger(__name__)


def draft(service: str, category: str, province: str | None, text: str,
          media: list[Stored]) -> dict[str, object]:
    """The complaint as the page keeps it on its check until the number is confirmed."""
    return {"service": service, "category": category, "province": province, "text": text,
            "media": [vars(item) for item in media]}


def file_confirmed(session: Session, check: PhoneCheck, rules: IntakeRules = IntakeRules()) -> Ticket:
    """Open the ticket of a confirmed check through intake, with its uploads, and commit;
    a check that has its ticket already gives that one (a form sent twice makes one ticket)."""
    if check.ticket is not None:
        return check.ticket
    typed = check.draft
    complaint = Complaint(via=Via.WEB, caller=check.number, text=typed.get("text") or None,
                          sector=sector_of(typed["service"]), category=typed["category"],
                          province=typed.get("province"), language=check.language)
    ticket = register(session, complaint, rules).ticket
    attach_stored(session, ticket, [Stored(**item) for item in typed.get("media", [])])
    check.ticket = ticket
    session.commit()
    log.info("ticket opened", extra={"ticket": ticket.code, "via": ticket.via, "check": check.id})
    return ticket
