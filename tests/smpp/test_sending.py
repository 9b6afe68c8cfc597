"""Texts through the real send job, the SMPP provider and the link to the local SMSC."""

from dataclasses import replace

import pytest
from smpplib import consts

from models.messages import MessageStatus
from models.notices import segments
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.retries import run_retries_now
from tests.smpp.conftest import RunningLink
from tests.smpp.helpers import CITIZEN, ON_THE_WIRE, queued, row
from worker.queues import NOTIFICATIONS


def test_a_persian_text_goes_as_ucs2_asking_for_a_receipt_and_the_smsc_id_is_kept(session, work, link, smsc):
    message_id = queued(session, body="کد پیگیری شما: ۱۲۳")
    work((NOTIFICATIONS,))
    [sent] = smsc.submits
    assert (sent.destination, sent.source, sent.data_coding, sent.registered_delivery) == (
        ON_THE_WIRE, "128", 8, 1)
    assert sent.short_message == "کد پیگیری شما: ۱۲۳".encode("utf-16-be") and sent.esm_class == 0
    text = row(session, message_id)
    assert (text.status, text.provider, text.provider_id) == (MessageStatus.QUEUED, "smpp", sent.message_id)


def test_a_latin_text_goes_as_gsm7_unless_the_smsc_takes_none(session, work, runtime, smsc):
    body = "Your code: 482-193-0576 [128] €"
    running = RunningLink(runtime).start()
    queued(session, body=body)
    work((NOTIFICATIONS,))
    running.stop()
    assert (smsc.submits[0].data_coding, smsc.submits[0].short_message) == (0, body.encode("gsm03.38"))
    running = RunningLink(runtime, gsm7=False).start()
    queued(session, body=body)
    work((NOTIFICATIONS,))
    running.stop()
    assert (smsc.submits[1].data_coding, smsc.submits[1].short_message) == (8, body.encode("utf-16-be"))
    assert smsc.texts_to(ON_THE_WIRE) == [body, body]


@pytest.mark.parametrize("body", ["پاسخ شکایت شما: " + "رسیدگی شد و " * 11, "Answer: " + "done and " * 33,
                                  "پاسخ " * 100 + "😀"])
def test_a_long_text_goes_in_as_many_parts_as_the_engine_counts_tied_by_a_header(session, work, link, smsc, body):
    message_id = queued(session, body=body)
    work((NOTIFICATIONS,))
    assert len(smsc.submits) == segments(body) > 1
    assert all(s.esm_class == 0x40 and s.short_message[:3] == b"\x05\x00\x03" for s in smsc.submits)
    assert len({s.short_message[3] for s in smsc.submits}) == 1  # one reference for all parts
    assert smsc.texts_to(ON_THE_WIRE) == [body]
    assert row(session, message_id).provider_id == smsc.submits[0].message_id


def test_sar_mode_ties_the_parts_with_tlvs(session, work, runtime, smsc):
    running = RunningLink(runtime, long_messages="sar").start()
    body = "پاسخ شکایت شما: " + "رسیدگی شد و " * 11
    queued(session, body=body)
    work((NOTIFICATIONS,))
    running.stop()
    total = segments(body)
    assert [s.sar[1:] for s in smsc.submits] == [(total, n) for n in range(1, total + 1)]
    assert all(s.esm_class == 0 and len(s.short_message) <= 134 for s in smsc.submits)
    assert smsc.texts_to(ON_THE_WIRE) == [body]


def test_throttling_a_full_queue_and_a_nack_slow_the_link_down_and_the_text_goes_once(
        session, work, link, smsc, caplog):
    smsc.plan("throttle", "queue_full", "nack", "throttle")
    message_id = queued(session)
    work((NOTIFICATIONS,))
    assert [s.outcome for s in smsc.submits] == ["throttle", "queue_full", "nack", "throttle", "ok"]
    paused = [r.pause_s for r in caplog.records if r.getMessage() == "smpp asked to slow down"]
    assert paused == [0.25, 0.5, 1.0, 2.0]  # each "not now" waited longer
    gaps = [b.at - a.at for a, b in zip(smsc.submits, smsc.submits[1:])]
    assert all(gap >= pause * 0.9 for gap, pause in zip(gaps, paused))
    assert row(session, message_id).status == MessageStatus.QUEUED
    assert smsc.texts_to(ON_THE_WIRE) == ["کد پیگیری شما: ۱۲۳"]


def test_an_invalid_destination_fails_the_text_for_good(session, work, link, smsc, runtime):
    smsc.plan(consts.SMPP_ESME_RINVDSTADR)
    message_id = queued(session)
    work((NOTIFICATIONS,))
    text = row(session, message_id)
    assert (text.status, text.error_code, text.error) == (
        MessageStatus.FAILED, "0x0000000b", "Invalid Destination Address")
    assert run_retries_now(runtime.redis) == 0 and len(smsc.submits) == 1


def test_a_system_error_is_retried_with_backoff(session, work, link, smsc, runtime):
    smsc.plan(consts.SMPP_ESME_RSYSERR)
    message_id = queued(session)
    work((NOTIFICATIONS,))
    assert row(session, message_id).status == MessageStatus.PENDING
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))
    assert row(session, message_id).status == MessageStatus.QUEUED
    assert [s.outcome for s in smsc.submits] == [consts.SMPP_ESME_RSYSERR, "ok"]


def test_with_no_link_bound_nothing_is_handed_over_and_the_job_retries(session, work, smsc, runtime):
    message_id = queued(session)
    work((NOTIFICATIONS,))
    text = row(session, message_id)
    assert (text.status, text.error_code) == (MessageStatus.PENDING, "no_link")
    running = RunningLink(runtime).start()
    assert run_retries_now(runtime.redis) == 1
    work((NOTIFICATIONS,))
    running.stop()
    assert row(session, message_id).status == MessageStatus.QUEUED and len(smsc.submits) == 1


def test_iranian_numbers_go_through_the_smsc_foreign_ones_through_twilio_and_unrouted_ones_nowhere(
        session, work, link, smsc, runtime, twilio_api, monkeypatch):  # noqa: F811
    monkeypatch.setattr(runtime, "settings", replace(
        runtime.settings, twilio=twilio_api.settings(),
        sms_routes=(("+98", "smpp"), ("+44", "twilio"))))
    iranian, british, german = (queued(session, number=n) for n in (CITIZEN, "+447700900123", "+4915112345678"))
    work((NOTIFICATIONS,))
    assert [s.destination for s in smsc.submits] == [ON_THE_WIRE]
    assert [m.to for m in twilio_api.messages] == ["+447700900123"]
    assert [row(session, m).provider for m in (iranian, british)] == ["smpp", "twilio"]
    assert row(session, german).status == MessageStatus.NO_ROUTE


def test_a_route_to_a_provider_not_configured_leaves_the_text_visibly_unsent(session, work, link, smsc):
    message_id = queued(session, number="+447700900123")  # "*" is Twilio's, and Twilio is not set up
    work((NOTIFICATIONS,))
    assert row(session, message_id).status == MessageStatus.NO_PROVIDER and smsc.submits == []
