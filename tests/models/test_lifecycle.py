"""The status lifecycle and the actions built on it."""

import itertools

import pytest
from sqlalchemy import select

from models import actions, lifecycle
from models.blocklist import is_blocked
from models.errors import DomainError, IllegalTransition
from models.outbox import OutboxItem
from models.tickets import Ticket, TicketStatus as S
from tests.builders import make_ticket


def test_every_status_has_a_row_in_the_table():
    assert set(lifecycle.ALLOWED) == set(S)


@pytest.mark.parametrize("path", [
    [S.REFERRED, S.ACKNOWLEDGED, S.RESOLVED, S.CLOSED],
    [S.REFERRED, S.ESCALATED, S.ESCALATED, S.ACKNOWLEDGED, S.RESOLVED],
    [S.REFERRED, S.ACKNOWLEDGED, S.ESCALATED, S.RESOLVED],
    [S.REJECTED], [S.DUPLICATE], [S.NUISANCE],
])
def test_allowed_paths(session, path):
    ticket = make_ticket(session)
    for status in path:
        lifecycle.move(ticket, status)
    assert ticket.status == path[-1]
    assert [e.kind for e in ticket.events] == ["registered", *path]


PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in PAIRS if b in lifecycle.ALLOWED[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in lifecycle.ALLOWED[a]]


def _ticket_in(status: S) -> Ticket:
    """A ticket in `status`, outside any session: `move` works on the object alone."""
    return Ticket(code="4821930576", status=status, events=[])


def test_the_table_splits_every_pair_of_statuses():
    assert len(ALLOWED) + len(ILLEGAL) == len(S) ** 2 and ALLOWED and ILLEGAL


@pytest.mark.parametrize("current, target", ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_move_moves(current, target):
    ticket = _ticket_in(current)
    lifecycle.move(ticket, target, actor="user:sup")
    assert ticket.status == target
    [event] = ticket.events
    assert (event.kind, event.actor, event.data) == (target.value, "user:sup", {"previous": current.value})


@pytest.mark.parametrize("current, target", ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_other_move_is_an_illegal_transition(current, target):
    ticket = _ticket_in(current)
    with pytest.raises(IllegalTransition,
                       match=f"ticket 4821930576 cannot go from {current.value} to {target.value}$"):
        lifecycle.move(ticket, target)
    assert ticket.status == current and ticket.events == []


def test_finished_tickets_go_nowhere_and_no_ticket_goes_back_to_registered():
    for status in (S.REJECTED, S.DUPLICATE, S.NUISANCE):
        assert lifecycle.ALLOWED[status] == frozenset()
    assert lifecycle.ALLOWED[S.CLOSED] == {S.REOPENED}  # only a disputed result reopens it
    assert all(b is not S.REGISTERED for _, b in ALLOWED)


def test_stage_times_are_stamped(session):
    ticket = make_ticket(session)
    lifecycle.move(ticket, S.REFERRED)
    lifecycle.move(ticket, S.ACKNOWLEDGED)
    assert ticket.referred_at and ticket.acknowledged_at and ticket.last_step_at == ticket.acknowledged_at


def test_resolve_queues_the_text_back(session):
    ticket = make_ticket(session)
    lifecycle.move(ticket, S.REFERRED)
    actions.resolve(session, ticket, "کارمند تذکر گرفت", actor="official:1")
    assert ticket.status == S.RESOLVED and ticket.result_text == "کارمند تذکر گرفت"
    jobs = session.scalars(select(OutboxItem.job).where(OutboxItem.ticket_id == ticket.id)).all()
    assert "text_back" in jobs


def test_resolve_needs_a_result(session):
    ticket = make_ticket(session)
    lifecycle.move(ticket, S.REFERRED)
    with pytest.raises(DomainError):
        actions.resolve(session, ticket, "  ", actor="official:1")


def test_nuisance_blocks_the_number(session):
    ticket = make_ticket(session)
    actions.mark_nuisance(session, ticket, actor="user:sup")
    assert ticket.status == S.NUISANCE and is_blocked(session, "+989121234567")


def test_duplicate_points_at_the_original(session):
    first, second = make_ticket(session), make_ticket(session, caller="09351112233")
    actions.mark_duplicate(session, second, first, actor="user:sup")
    assert second.duplicate_of_id == first.id and second.events[-1].data["original"] == first.code
    with pytest.raises(DomainError):
        actions.mark_duplicate(session, first, first, actor="user:sup")


def test_an_illegal_resolve_leaves_the_ticket_untouched(session):
    ticket = make_ticket(session)
    with pytest.raises(IllegalTransition):
        actions.resolve(session, ticket, "پاسخ", actor="official:1")
    assert ticket.result_text is None and ticket.status == S.REGISTERED
