"""What a tracking code tells anyone who holds it: status, agency, stage time, nothing more."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import lifecycle, lookup
from models.agencies import Official
from models.base import utcnow
from models.errors import InvalidCode, TicketNotFound
from models.tickets import TicketStatus as S
from models.tracking import for_reading, new_code
from tests.builders import agency, make_ticket

PATHS = {
    S.REGISTERED: [],
    S.REFERRED: [S.REFERRED],
    S.ACKNOWLEDGED: [S.REFERRED, S.ACKNOWLEDGED],
    S.ESCALATED: [S.REFERRED, S.ESCALATED],
    S.RESOLVED: [S.REFERRED, S.RESOLVED],
    S.CLOSED: [S.REFERRED, S.RESOLVED, S.CLOSED],
    S.REOPENED: [S.REFERRED, S.RESOLVED, S.REOPENED],
    S.REJECTED: [S.REJECTED],
    S.DUPLICATE: [S.DUPLICATE],
    S.NUISANCE: [S.NUISANCE],
}
TEXT = "کارمند باجهٔ ۳ به من توهین کرد"


def test_every_status_is_covered_and_named():
    assert set(PATHS) == set(S) == set(lookup.STATUS_LABELS)
    assert all(fa and en for fa, en in lookup.STATUS_LABELS.values())


def _ticket_in(session, status: S, now):
    tax = agency(session, "TAX-TEH")
    ticket = make_ticket(session, text=TEXT, agency_id=tax.id)
    ticket.official = session.scalars(select(Official).where(Official.agency_id == tax.id)).first()
    ticket.due_at = now + timedelta(hours=1)
    for minutes, step in enumerate(PATHS[status], start=1):
        lifecycle.move(ticket, step, at=now - timedelta(minutes=60 - minutes))
    session.commit()
    return ticket


@pytest.mark.parametrize("status", list(S))
def test_public_status_gives_status_agency_and_stage_time_only(session, status):
    now = utcnow()
    ticket = _ticket_in(session, status, now)
    answer = lookup.public_status(session, for_reading(ticket.code), now=now)
    assert [f.name for f in dataclasses.fields(answer)] == [
        "code", "status", "agency_fa", "agency_en", "last_step_at", "due_at", "remaining"]
    assert (answer.code, answer.status) == (ticket.code, status)
    assert (answer.agency_fa, answer.agency_en) == (ticket.agency.name_fa, "Tehran Province Tax Directorate")
    last_step = now - timedelta(minutes=60 - len(PATHS[status])) if PATHS[status] else ticket.registered_at
    assert answer.last_step_at == last_step
    assert answer.due_at == ticket.due_at
    assert answer.remaining == (timedelta(hours=1) if status in lifecycle.OPEN else None)
    assert (answer.label("fa"), answer.label("en")) == lookup.STATUS_LABELS[status]
    told = repr(answer)
    for private in ("+989121234567", "9121234567", TEXT, ticket.official.name, ticket.official.mobile):
        assert private not in told


def test_an_open_ticket_past_its_deadline_has_no_time_left(session):
    now = utcnow()
    ticket = _ticket_in(session, S.REFERRED, now)
    answer = lookup.public_status(session, ticket.code, now=now + timedelta(hours=2))
    assert answer.remaining == timedelta(0)


def test_a_code_is_checked_before_it_is_looked_up(session):
    ticket = make_ticket(session)
    wrong = ticket.code[:9] + str((int(ticket.code[9]) + 1) % 10)
    with pytest.raises(InvalidCode, match="check digit"):
        lookup.public_status(session, wrong)
    unused = next(c for c in iter(new_code, None) if c != ticket.code)
    with pytest.raises(TicketNotFound, match=f"no ticket has the code {unused}"):
        lookup.public_status(session, unused)
