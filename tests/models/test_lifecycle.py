"""The status lifecycle and the actions built on it."""

import pytest
from sqlalchemy import select

from models import actions, lifecycle
from models.blocklist import is_blocked
from models.errors import DomainError, IllegalTransition
from models.outbox import OutboxItem
from models.tickets import TicketEvent, TicketStatus as S
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


@pytest.mark.parametrize("path", [
    [S.RESOLVED], [S.ACKNOWLEDGED], [S.CLOSED],
    [S.REFERRED, S.RESOLVED, S.ESCALATED], [S.REJECTED, S.REFERRED], [S.REFERRED, S.REGISTERED],
])
def test_illegal_moves_raise_a_clear_error(session, path):
    ticket = make_ticket(session)
    for status in path[:-1]:
        lifecycle.move(ticket, status)
    with pytest.raises(IllegalTransition, match=f"cannot go from .* to {path[-1].value}"):
        lifecycle.move(ticket, path[-1])


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
