"""Rows written or returned by Core statements on hot paths, taken into the session as if
loaded (models.db.adopt, write_columns): what the ORM would have held, and forgotten as it
would forget them."""

import contextlib
from typing import Iterator

import pytest
from sqlalchemy import event, select

from models import sending
from models.events import Event
from models.messages import Message, MessageStatus, Purpose
from models.outbox import OutboxItem
from models.outgoing import queue_text
from models.base import utcnow
from models.db import column_update, hold_as_loaded, write_columns
from models.tickets import Ticket, event_row, write_entry_with, write_events
from tests.builders import make_ticket


def test_a_queued_text_is_the_stored_row_with_its_ticket_and_its_send_work(session):
    ticket = make_ticket(session)
    message = queue_text(session, number="+989121234567", body="سلام", purpose=Purpose.QUESTION, ticket=ticket)
    assert message in session and message.ticket is ticket and message.status == MessageStatus.PENDING
    session.commit()
    stored = session.scalars(select(Message).where(Message.id == message.id)).one()
    assert stored is message and stored.created_at is not None
    assert session.scalars(select(OutboxItem.key).where(OutboxItem.key == f"send_sms:{message.id}")).one()


def test_a_text_queued_in_a_savepoint_that_rolls_back_is_forgotten(session):
    ticket = make_ticket(session)
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            dropped = queue_text(session, number="+989121234567", body="یک", purpose=Purpose.QUESTION, ticket=ticket)
            raise RuntimeError("the caller's own write failed")
    assert dropped not in session
    kept = queue_text(session, number="+989121234567", body="دو", purpose=Purpose.QUESTION, ticket=ticket)
    session.commit()
    assert session.get(Message, kept.id) is kept
    assert [m.body for m in session.scalars(select(Message).where(Message.purpose == Purpose.QUESTION))] == ["دو"]


def test_a_claim_refreshes_the_row_the_session_already_holds(session):
    ticket = make_ticket(session)
    message = queue_text(session, number="+989121234567", body="سه", purpose=Purpose.QUESTION, ticket=ticket)
    session.commit()
    claimed = sending.claim(session, message.id, by="job-1")
    assert claimed is message and message.status == MessageStatus.SENDING and message.claimed_by == "job-1"


def test_a_timeline_the_session_loaded_shows_entries_written_without_the_orm(session):
    ticket = make_ticket(session)
    assert [e.kind for e in ticket.events] == ["registered"]  # loaded now
    write_events(session, ticket.id, [event_row(Event.CALL_ENDED, call="1700000000.1", duration_s=40)])
    assert [e.kind for e in ticket.events] == ["registered", "call_ended"]


def test_columns_written_without_the_orm_are_held_as_loaded_and_not_written_again(session, runtime):
    ticket = make_ticket(session)
    session.commit()
    with sent_by(runtime) as statements:
        write_columns(session, ticket, {"county": "Karaj", "escalation_level": 2})
        assert ticket.county == "Karaj" and ticket.escalation_level == 2 and ticket not in session.dirty
        session.commit()
    assert [s.split()[0] for s in statements] == ["UPDATE"]
    stored = session.execute(select(Ticket.county, Ticket.escalation_level).where(Ticket.id == ticket.id)).one()
    assert tuple(stored) == ("Karaj", 2)


def test_a_timeline_entry_carries_its_step_s_other_writes_in_one_statement_on_postgresql(session, runtime):
    ticket = make_ticket(session)
    assert [e.kind for e in ticket.events] == ["registered"]  # loaded now
    session.commit()
    with sent_by(runtime) as statements:
        update, parameters = column_update(ticket, {"county": "Karaj"})
        write_entry_with(session, ticket.id, event_row(Event.CALL_ENDED, call="1700000000.2"), [(update, parameters)])
        hold_as_loaded(ticket, {"county": "Karaj"})
        session.commit()
    assert [s.split()[0] for s in statements] == (["WITH"] if runtime.engine.dialect.name == "postgresql" else ["UPDATE", "INSERT"])
    assert session.scalar(select(Ticket.county).where(Ticket.id == ticket.id)) == "Karaj"
    assert [e.kind for e in ticket.events] == ["registered", "call_ended"]


def test_a_text_carries_its_caller_s_update_of_another_row_and_nothing_else(session, runtime):
    first = queue_text(session, number="+989121234567", body="یک", purpose=Purpose.QUESTION)
    session.commit()
    values = {"reply": "جواب", "updated_at": utcnow()}
    with sent_by(runtime) as statements:
        second = queue_text(session, number="+989127654321", body="دو", purpose=Purpose.REPLY,
                            carried=[column_update(first, values)])
        hold_as_loaded(first, values)
        session.commit()
    assert len(statements) == (1 if runtime.engine.dialect.name == "postgresql" else 3)  # SQLite: +work
    rows = session.execute(select(Message.id, Message.number, Message.body, Message.purpose, Message.reply)
                           .order_by(Message.id)).all()
    assert [tuple(row) for row in rows] == [
        (first.id, "+989121234567", "یک", Purpose.QUESTION, "جواب"),
        (second.id, "+989127654321", "دو", Purpose.REPLY, None)]


@contextlib.contextmanager
def sent_by(runtime) -> Iterator[list[str]]:
    """The SQL statements the runtime's engine sends while the block runs (SQLite's own BEGIN
    left out)."""
    statements: list[str] = []

    def sent(_conn, _cursor, statement, *_rest) -> None:
        if statement != "BEGIN IMMEDIATE":
            statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", sent)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", sent)
