"""Assigning a ticket to a person of its agency: the agency stays; moving it ends it."""

import pytest

from models import assignment, lifecycle, routing
from models.assignment import NotAssignable
from models.errors import IllegalTransition
from models.tickets import TicketStatus
from models.users import add_user
from tests.builders import agency
from tests.console.conftest import referred

PASSWORD = "correct horse battery"


@pytest.fixture
def people(session):
    return {name: add_user(session, name, role, PASSWORD, agency_code=code)
            for name, role, code in [("sara", "supervisor", None), ("reza", "inspector", "MUN-TEH"),
                                     ("nima", "inspector", "IMVO"), ("mina", "inspector", "MUN-TEH")]}


@pytest.fixture
def ticket(session):
    """A complaint referred to MUN-TEH."""
    return referred(session, "MUN-TEH")


def test_the_agencys_inspectors_and_supervisors_may_take_it(session, people, ticket):
    assert [u.name for u in assignment.eligible(session, ticket)] == ["mina", "reza", "sara"]
    assignment.assign(session, ticket, people["reza"], actor="user:sara")
    assert assignment.assignee(session, ticket.id).name == "reza" and ticket.agency.code == "MUN-TEH"
    assignment.assign(session, ticket, people["mina"], actor="user:reza")
    assignment.assign(session, ticket, people["mina"], actor="user:reza")  # already hers: no entry
    assignment.assign(session, ticket, None, actor="user:mina")
    assert assignment.assignee(session, ticket.id) is None
    assert [(e.data["assignee"], e.data["previous"]) for e in ticket.events if e.kind == "assigned"] == [
        ("reza", None), ("mina", "reza"), (None, "mina")]


def test_someone_of_another_agency_or_a_closed_ticket_cannot_be_assigned(session, people, ticket):
    with pytest.raises(NotAssignable):
        assignment.assign(session, ticket, people["nima"], actor="user:sara")  # IMVO, above it
    lifecycle.move(ticket, TicketStatus.REJECTED)
    with pytest.raises(IllegalTransition):
        assignment.assign(session, ticket, people["reza"], actor="user:sara")


def test_reassigning_to_another_agency_ends_the_assignment(session, people, ticket):
    assignment.assign(session, ticket, people["reza"], actor="user:sara")
    routing.reassign(session, ticket, agency(session, "MUN-HAM"), "user:sara")
    assert assignment.assignee(session, ticket.id) is None
    ended = [e for e in ticket.events if e.kind == "assigned"][-1]
    assert (ended.actor, ended.data["assignee"], ended.data["previous"]) == ("system", None, "reza")
