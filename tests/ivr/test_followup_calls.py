"""Following up a complaint by phone: the code keyed in, the status, agency and time told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ivr.flows.followup import spoken
from models import lifecycle, tracking
from models.base import utcnow
from models.tickets import TicketStatus
from tests.builders import agency, make_ticket
from tests.ivr.test_intake_calls import call_row, heard


def swap_two_digits(code: str) -> str:
    """The code with two neighbouring digits swapped, as a caller might key it."""
    i = next(i for i in range(len(code) - 1) if code[i] != code[i + 1])
    return code[:i] + code[i + 1] + code[i] + code[i + 2:]


@pytest.fixture
def referred(session):
    """A ticket referred to the Ministry of Interior, 2 h 30 min left of its deadline."""
    ticket = make_ticket(session)
    ticket.agency = agency(session, "MOI")
    lifecycle.move(ticket, TicketStatus.REFERRED)
    ticket.due_at = utcnow() + timedelta(hours=2, minutes=30, seconds=30)
    session.commit()
    return ticket


def test_a_valid_code_tells_status_agency_and_time_left(dial, session, referred):
    placed = dial("09121234567", f"2 {referred.code}#")

    assert heard(placed)[1:] == ["main_menu", "code_ask", "status_referred", "agency_intro", "agency_moi",
                                 "time_left", "number_2", "hours_left", "goodbye"]
    assert call_row(session, placed).progress == "followed_up"


def test_a_fresh_ticket_tells_how_long_ago_it_was_registered(dial, session):
    ticket = make_ticket(session)
    placed = dial("02188776655", f"2 {ticket.code}")  # ten digits end the code without #

    assert heard(placed)[3:] == ["status_registered", "last_step", "number_1", "minutes_ago_1", "goodbye"]


def test_an_answered_ticket_tells_when_it_was_answered(dial, session, referred):
    lifecycle.move(referred, TicketStatus.RESOLVED, at=utcnow() - timedelta(days=3, hours=1))
    session.commit()
    placed = dial("02188776655", f"2 {referred.code}#")

    assert heard(placed)[3:] == ["status_resolved", "agency_intro", "agency_moi", "last_step", "number_3",
                                 "days_ago", "goodbye"]


def test_a_passed_deadline_is_said_so(dial, session, referred):
    referred.due_at = utcnow() - timedelta(minutes=5)
    session.commit()
    placed = dial("02188776655", f"2 {referred.code}#")

    assert "deadline_passed" in heard(placed) and "time_left" not in heard(placed)


def test_a_mistyped_code_gets_one_more_try(dial, session, referred):
    mistyped = swap_two_digits(referred.code)
    assert not tracking.is_valid(mistyped)
    placed = dial("02188776655", f"2 {mistyped}# {referred.code}#")

    assert heard(placed)[3:6] == ["code_invalid", "code_ask", "status_referred"]
    assert call_row(session, placed).progress == "followed_up"


def test_two_wrong_codes_end_the_call_politely(dial, session, referred):
    mistyped = swap_two_digits(referred.code)
    placed = dial("02188776655", f"2 {mistyped}# 123#")

    assert heard(placed)[2:] == ["code_ask", "code_invalid", "code_ask", "code_invalid", "goodbye"]
    assert call_row(session, placed).progress == "follow_up"


def test_a_well_formed_code_nobody_has_is_not_found(dial, session):
    body = "482193057"
    placed = dial("02188776655", f"2 {body + tracking.check_digit(body)}#")

    assert "code_not_found" in heard(placed)


def test_an_english_caller_follows_up_in_english(dial, session, referred):
    placed = dial("+447700900123", f"2 2 {referred.code}#", to="+989372840000")

    assert placed.intake.variables["CHANNEL(language)"] == "en"
    assert "status_referred" in heard(placed)
    assert call_row(session, placed).language == "en"


@pytest.mark.parametrize("amount, said", [
    (timedelta(seconds=20), (1, "minutes")),
    (timedelta(minutes=42), (42, "minutes")),
    (timedelta(minutes=99), (99, "minutes")),
    (timedelta(hours=2, minutes=30), (2, "hours")),
    (timedelta(days=3, hours=1), (3, "days")),
    (timedelta(days=400), (99, "days")),
])
def test_durations_are_said_in_the_largest_unit_that_fits(amount, said):
    assert spoken(amount) == said
