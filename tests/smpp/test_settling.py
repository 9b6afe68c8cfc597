"""Sends nobody heard the end of, settled without texting twice: the journal, query_sm and
the receipts tell what the SMSC took; only what it did not take is sent again."""

import time
from datetime import timedelta

from sqlalchemy import update

from models import sending
from models.base import utcnow
from models.messages import Message, MessageStatus
from sms.providers.smpp import SmppProvider
from tests.retries import run_retries_now
from tests.smpp.helpers import CITIZEN, ON_THE_WIRE, queued, row
from worker.queues import NOTIFICATIONS
from worker.texting import STUCK_AFTER, sweep_sending


def died_after_handing_over(session, runtime, message_id: int, body: str) -> str:
    """What a send job that died once the link had its text leaves: the row claimed long ago,
    the SMSC's id known to the link's journal only."""
    assert sending.claim(session, message_id, by="outbox-dead") is not None
    smsc_id = SmppProvider(runtime.redis, 5).send(CITIZEN, body, str(message_id))
    session.execute(update(Message).where(Message.id == message_id).values(
        claimed_at=utcnow() - STUCK_AFTER - timedelta(minutes=1)))
    session.commit()
    return smsc_id


def test_a_text_the_smsc_took_is_adopted_by_the_sweep_after_query_sm(session, runtime, link, smsc):
    message_id = queued(session, body="پاسخ شما")
    smsc_id = died_after_handing_over(session, runtime, message_id, "پاسخ شما")
    assert sweep_sending() == 1
    assert smsc.queries == [(smsc_id, 0)] and len(smsc.submits) == 1
    text = row(session, message_id)
    assert (text.status, text.provider_id) == (MessageStatus.QUEUED, smsc_id)


def test_a_text_the_smsc_says_it_has_no_such_message_of_is_sent_again(session, runtime, link, smsc):
    message_id = queued(session, body="پاسخ شما")
    smsc_id = died_after_handing_over(session, runtime, message_id, "پاسخ شما")
    del smsc.taken[smsc_id]  # the SMSC lost it
    assert sweep_sending() == 1
    assert smsc.queries == [(smsc_id, 0x67)] and len(smsc.submits) == 2  # ESME_RQUERYFAIL, then sent again
    assert row(session, message_id).provider_id == smsc.submits[1].message_id


def test_a_text_the_link_dropped_before_the_answer_is_adopted_from_its_receipt_not_sent_again(
        session, work, runtime, link, smsc):
    smsc.plan("drop")  # the SMSC takes it and the link drops before the answer
    message_id = queued(session, body="Result: your complaint was answered")
    work((NOTIFICATIONS,))
    assert row(session, message_id).status == MessageStatus.SENDING  # the outcome is unknown
    assert link.bound.wait(10)
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))  # the retry asks: the SMSC may have it, so it waits for a receipt
    assert row(session, message_id).status == MessageStatus.SENDING and len(smsc.submits) == 1
    [taken] = smsc.taken
    smsc.receipt(taken, "DELIVRD", tlvs=False)  # names the text: same number, its first words
    text = row(session, message_id)  # the receipt found the row by the journal's reference
    assert (text.status, text.provider_id) == (MessageStatus.DELIVERED, taken)
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))  # the retry finds the row settled
    assert len(smsc.submits) == 1 and row(session, message_id).status == MessageStatus.DELIVERED


def test_a_text_the_smsc_never_read_is_sent_again_once_no_receipt_came_in_time(
        session, work, runtime, link, smsc):
    smsc.plan("lost")  # the connection closes before the SMSC reads the text
    message_id = queued(session, body="پاسخ شما")
    work((NOTIFICATIONS,))
    assert row(session, message_id).status == MessageStatus.SENDING
    assert link.bound.wait(10)
    time.sleep(link.settings.receipt_wait.total_seconds())
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))
    assert [s.outcome for s in smsc.submits] == ["lost", "ok"]
    assert smsc.texts_to(ON_THE_WIRE) == ["پاسخ شما"]
    assert row(session, message_id).provider_id == smsc.submits[1].message_id
