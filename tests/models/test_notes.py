"""Internal notes: on the timeline, never texted, mentioning people who may see the ticket."""

import pytest
from sqlalchemy import func, select

from models import notes
from models.messages import Message
from models.notes import EmptyNote, UnknownMention
from models.users import add_user
from tests.console.conftest import referred

PASSWORD = "correct horse battery"


@pytest.fixture
def team(session):
    """A supervisor, the inspector of MUN-TEH, the one of IMVO above it, and a bank's."""
    made = {name: add_user(session, name, role, PASSWORD, agency_code=code, full_name=full)
            for name, role, code, full in [("sara", "supervisor", None, "سارا رضایی"),
                                           ("reza", "inspector", "MUN-TEH", "رضا احمدی"),
                                           ("nima", "inspector", "IMVO", ""),
                                           ("bita", "inspector", "BMI-TEH", "")]}
    return made


@pytest.fixture
def ticket(session):
    """A complaint referred to MUN-TEH."""
    return referred(session, "MUN-TEH")


def test_a_note_mentions_people_who_see_it_in_their_list_until_they_open_the_ticket(session, team, ticket):
    entry = notes.add(session, ticket, team["sara"], "@reza لطفاً با @nima هماهنگ کن. @reza")
    assert (entry.kind, entry.actor, entry.data) == ("note", "user:sara", {"mentions": ["reza", "nima"]})
    assert notes.unread(session, team["reza"]) == 1 and notes.unread(session, team["nima"]) == 1
    [mention] = notes.for_me(session, team["reza"])
    assert (mention.ticket.code, mention.event.note) == (ticket.code, entry.note)
    assert notes.mark_read(session, team["reza"], ticket) == 1
    assert notes.unread(session, team["reza"]) == 0 and notes.unread(session, team["nima"]) == 1
    assert session.scalar(select(func.count()).select_from(Message)) == 0  # nothing texted


def test_mentioning_yourself_notifies_nobody(session, team, ticket):
    notes.add(session, ticket, team["reza"], "یادداشت برای خودم @reza")
    assert notes.unread(session, team["reza"]) == 0


@pytest.mark.parametrize("body, names", [
    ("@bita ببین", ["bita"]),  # a bank's inspector cannot see a municipal ticket
    ("@nobody ببین", ["nobody"]),
])
def test_a_mention_of_someone_who_cannot_see_the_ticket_is_refused(session, team, ticket, body, names):
    with pytest.raises(UnknownMention) as refused:
        notes.add(session, ticket, team["sara"], body)
    assert refused.value.names == names
    session.rollback()
    assert [e.kind for e in ticket.events] == ["registered", "referred"]


def test_an_empty_note_is_refused_and_an_address_is_no_mention(session, team, ticket):
    with pytest.raises(EmptyNote):
        notes.add(session, ticket, team["sara"], "   ")
    assert notes.mentioned("ایمیل: reza@example.ir و @sara، @nima.") == ["sara", "nima"]
