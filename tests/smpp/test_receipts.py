"""Delivery receipts from the SMSC move a text to delivered or failed, as Twilio's callbacks do."""

from sqlalchemy import select

from models.messages import MessageStatus
from models.tickets import TicketEvent
from tests.smpp.helpers import queued, row
from worker.queues import NOTIFICATIONS


def test_a_delivered_receipt_by_its_tlvs_delivers_the_text(session, work, link, smsc):
    message_id = queued(session)
    work((NOTIFICATIONS,))
    sequence = smsc.receipt(smsc.submits[0].message_id, "DELIVRD")
    assert smsc.delivered[sequence] == 0  # ESME_ROK
    assert row(session, message_id).status == MessageStatus.DELIVERED


def test_a_receipt_read_from_its_text_alone_fails_the_text_on_its_timeline(session, work, link, smsc):
    message_id = queued(session, with_ticket=True)
    work((NOTIFICATIONS,))
    smsc.receipt(smsc.submits[0].message_id, "UNDELIV", tlvs=False)
    text = row(session, message_id)
    assert text.status == MessageStatus.UNDELIVERED
    [event] = session.scalars(select(TicketEvent).where(TicketEvent.kind == "sms_undelivered")).all()
    session.commit()
    assert (event.data["message"], event.data["status"]) == (message_id, "undelivered")


def test_a_late_receipt_never_moves_a_text_backwards(session, work, link, smsc):
    message_id = queued(session)
    work((NOTIFICATIONS,))
    smsc.receipt(smsc.submits[0].message_id, "DELIVRD")
    smsc.receipt(smsc.submits[0].message_id, "ACCEPTD")
    assert row(session, message_id).status == MessageStatus.DELIVERED


def test_a_long_text_is_delivered_when_every_part_is_and_failed_when_one_is(session, work, link, smsc):
    delivered, failed = queued(session, body="الف " * 30), queued(session, body="ب " * 50)  # two parts each
    work((NOTIFICATIONS,))
    assert len(smsc.submits) == 4
    first, second = smsc.submits[:2], smsc.submits[2:]
    smsc.receipt(first[0].message_id)
    assert row(session, delivered).status == MessageStatus.SENT  # one part of two there
    smsc.receipt(first[1].message_id)
    assert row(session, delivered).status == MessageStatus.DELIVERED
    smsc.receipt(second[1].message_id, "REJECTD")
    smsc.receipt(second[0].message_id, "DELIVRD")
    assert row(session, failed).status == MessageStatus.FAILED
    assert row(session, delivered).provider_id == first[0].message_id


def test_a_receipt_for_a_message_nobody_knows_is_answered_and_changes_nothing(session, link, smsc):
    smsc.taken["f00"] = smsc.taken.get("f00") or _foreign(smsc)
    assert smsc.delivered[smsc.receipt("f00")] == 0


def _foreign(smsc):
    from tests.peers.smsc import Submitted

    return Submitted("989350000000", "128", 0, 0, b"hello", 1, None, "ok", "f00")
