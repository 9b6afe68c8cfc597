"""Delivery reports move a sent text forward, never backwards, and keep error codes."""

import pytest
from sqlalchemy import select

from models.messages import Message, MessageStatus, Purpose
from models.outgoing import queue_text
from tests.builders import make_ticket
from tests.sms.webhooks import CITIZEN
from worker.queues import NOTIFICATIONS


@pytest.fixture
def sent(session, work) -> Message:
    """A text sent through the local Twilio server, as the send job leaves it."""
    message = queue_text(session, number=CITIZEN, body="نتیجه", purpose=Purpose.RESULT,
                         ticket=make_ticket(session))
    session.commit()
    work((NOTIFICATIONS,))
    return row(session, message.id)


def row(session, message_id: int) -> Message:
    """The row as stored now; the read ends its transaction (on SQLite it holds the write
    lock the next webhook request needs)."""
    session.rollback()
    session.expire_all()
    message = session.get(Message, message_id)
    session.commit()
    return message


def test_reports_move_the_text_forward(twilio, session, sent):
    assert sent.status == MessageStatus.QUEUED
    for word, status in [("sending", MessageStatus.QUEUED), ("sent", MessageStatus.SENT),
                         ("delivered", MessageStatus.DELIVERED)]:
        assert twilio.report(sent.provider_id, word).status_code == 204
        assert row(session, sent.id).status == status


def test_a_late_report_never_moves_a_text_backwards(twilio, session, sent):
    twilio.report(sent.provider_id, "delivered")
    twilio.report(sent.provider_id, "sent")
    twilio.report(sent.provider_id, "queued")
    assert row(session, sent.id).status == MessageStatus.DELIVERED


def test_a_failure_keeps_its_error_code_and_shows_on_the_timeline(twilio, session, sent):
    twilio.report(sent.provider_id, "sent")
    twilio.report(sent.provider_id, "undelivered", error_code="30003")
    message = row(session, sent.id)
    assert (message.status, message.error_code) == (MessageStatus.UNDELIVERED, "30003")
    event = message.ticket.events[-1]
    assert (event.kind, event.data["code"], event.data["status"]) == ("sms_undelivered", "30003", "undelivered")


def test_a_failure_after_delivery_changes_nothing(twilio, session, sent):
    twilio.report(sent.provider_id, "delivered")
    twilio.report(sent.provider_id, "failed", error_code="30008")
    message = row(session, sent.id)
    assert (message.status, message.error_code) == (MessageStatus.DELIVERED, None)


def test_a_report_finds_a_text_whose_job_died_before_storing_the_sid(twilio, session):
    message = queue_text(session, number=CITIZEN, body="x", purpose=Purpose.REPLY)
    message.status = MessageStatus.SENDING  # claimed, sent, and the worker was killed
    session.commit()
    twilio.report("SM" + "a" * 32, "delivered", ref=message.id)
    found = row(session, message.id)
    assert (found.provider_id, found.status) == ("SM" + "a" * 32, MessageStatus.DELIVERED)


def test_reports_on_unknown_texts_or_statuses_are_ignored(twilio, session, sent):
    assert twilio.report("SM" + "f" * 32, "delivered").status_code == 204
    assert twilio.report(sent.provider_id, "some-new-status").status_code == 204
    assert row(session, sent.id).status == MessageStatus.QUEUED
    assert session.scalar(select(Message).where(Message.provider_id == "SM" + "f" * 32)) is None
