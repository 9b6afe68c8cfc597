"""The timeline is append-only in the database itself, whatever tries to change it."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from models.events import Event
from models.tickets import Ticket, TicketEvent, record
from tests.builders import make_ticket


def _events(session, ticket) -> list[tuple[str, str | None]]:
    session.rollback()
    return session.execute(select(TicketEvent.kind, TicketEvent.note)
                           .where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).all()


def test_the_orm_refuses_to_change_an_event_and_names_it(session):
    ticket = make_ticket(session)
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).one()
    event.note = "rewritten"
    with pytest.raises(ValueError, match=f"ticket event {event.id} .* cannot change"):
        session.commit()


def test_the_orm_refuses_to_delete_an_event(session):
    ticket = make_ticket(session)
    session.delete(ticket.events[0])
    with pytest.raises(ValueError, match="cannot change"):
        session.commit()
    assert _events(session, ticket) == [("registered", None)]


def test_the_database_refuses_a_core_update(session):
    ticket = make_ticket(session)
    with pytest.raises(IntegrityError, match="ticket_events is append-only: UPDATE"):
        session.execute(update(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                        .values(note="rewritten"))
    assert _events(session, ticket) == [("registered", None)]


def test_the_database_refuses_a_core_delete(session):
    ticket = make_ticket(session)
    with pytest.raises(IntegrityError, match="ticket_events is append-only: DELETE"):
        session.execute(delete(TicketEvent))
    assert _events(session, ticket) == [("registered", None)]


@pytest.mark.parametrize("sql", ["DELETE FROM ticket_events",
                                 "UPDATE ticket_events SET kind = 'closed'"])
def test_the_database_refuses_raw_sql(session, sql):
    ticket = make_ticket(session)
    with pytest.raises(IntegrityError, match="ticket_events is append-only"):
        session.execute(text(sql))
    assert _events(session, ticket) == [("registered", None)]


def test_deleting_a_ticket_does_not_take_its_timeline_with_it(session):
    ticket = make_ticket(session)
    with pytest.raises(IntegrityError):
        session.execute(delete(Ticket).where(Ticket.id == ticket.id))
    session.rollback()
    assert session.get(Ticket, ticket.id) is not None
    assert _events(session, ticket) == [("registered", None)]


def test_appending_goes_on_after_a_refusal(session):
    ticket = make_ticket(session)
    with pytest.raises(IntegrityError):
        session.execute(text("DELETE FROM ticket_events"))
    session.rollback()
    record(ticket, Event.SMS_APPENDED, actor="citizen", note="شعبهٔ ونک")
    session.commit()
    assert _events(session, ticket) == [("registered", None), ("sms_appended", "شعبهٔ ونک")]
    assert session.scalar(select(func.count()).select_from(TicketEvent)) == 2
