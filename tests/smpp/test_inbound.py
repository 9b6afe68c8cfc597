"""Texts from phones through the SMSC: decoded, reassembled, stored once in the same inbox as
Twilio's, answered by the same rules, and acknowledged only once committed."""

from datetime import timedelta

import pytest
from smpplib import consts
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from models.db import make_engine
from models.smpp_parts import SmppPart
from models.base import utcnow
from sms.smpp import inbound as smpp_inbound
from tests.smpp.conftest import RunningLink
from tests.smpp.helpers import CITIZEN, ON_THE_WIRE, inbound
from worker.queues import NOTIFICATIONS, ROUTING

UCS2, GSM7, LATIN1 = 8, 0, 3


def parts(text: str, count: int, reference: int = 7) -> list[bytes]:
    """`text` in UCS-2 cut into `count` parts, each behind an 8-bit-reference header."""
    octets = text.encode("utf-16-be")
    size = -(-len(octets) // count // 2) * 2
    chunks = [octets[i:i + size] for i in range(0, len(octets), size)]
    return [bytes([5, 0, 3, reference, count, n]) + chunk for n, chunk in enumerate(chunks, 1)]


def test_a_persian_text_is_taken_in_acknowledged_after_commit_and_answered_through_the_smsc(
        session, work, link, smsc):
    sequence = smsc.deliver(ON_THE_WIRE, "خیابان ولیعصر چراغ‌های راهنمایی خاموش است")
    assert smsc.delivered[sequence] == consts.SMPP_ESME_ROK
    [text] = inbound(session)  # committed before the answer went
    assert (text.number, text.service_number, text.provider, text.body) == (
        CITIZEN, "128", "smpp", "خیابان ولیعصر چراغ‌های راهنمایی خاموش است")
    work((ROUTING, NOTIFICATIONS))
    [reply] = smsc.texts_to(ON_THE_WIRE)
    assert "کد پیگیری" in reply and reply == inbound(session)[0].reply


def test_three_parts_out_of_order_make_one_text(session, link, smsc):
    body = "کارمند شهرداری منطقه ۶ سه ساعت است پشت باجه نیامده و کسی هم پاسخگو نیست؛ " * 2
    first, second, third = parts(body, 3)
    for part in (third, first, second):
        assert smsc.delivered[smsc.deliver(ON_THE_WIRE, part, data_coding=UCS2, esm_class=0x40)] == 0
    [text] = inbound(session)
    assert text.body == body


def test_parts_tied_by_sar_tlvs_make_one_text(session, link, smsc):
    octets = ("سلام " * 20).encode("utf-16-be")
    smsc.deliver(ON_THE_WIRE, octets[134:], data_coding=UCS2, sar_msg_ref_num=300, sar_total_segments=2,
                 sar_segment_seqnum=2)
    smsc.deliver(ON_THE_WIRE, octets[:134], data_coding=UCS2, sar_msg_ref_num=300, sar_total_segments=2,
                 sar_segment_seqnum=1)
    assert [t.body for t in inbound(session)] == ["سلام " * 20]


def test_a_pdu_delivered_again_makes_no_second_message(session, link, smsc):
    smsc.deliver(ON_THE_WIRE, "12", receipted_message_id="mo-1")
    again = smsc.deliver(ON_THE_WIRE, "12", receipted_message_id="mo-1")
    smsc.deliver(ON_THE_WIRE, "12", receipted_message_id="mo-2")  # the same words, another text
    assert smsc.delivered[again] == consts.SMPP_ESME_ROK
    assert [t.body for t in inbound(session)] == ["12", "12"]


def test_a_part_delivered_again_after_its_text_was_taken_in_makes_nothing(session, link, smsc):
    first, second = parts("پیام دو قسمتی " * 8, 2)
    for part in (first, second, second, first):
        smsc.deliver(ON_THE_WIRE, part, data_coding=UCS2, esm_class=0x40, receipted_message_id=str(part[-1]))
    assert len(inbound(session)) == 1
    smsc_inbound_overdue(session, link)
    assert len(inbound(session)) == 1


def test_a_missing_part_is_waited_for_then_the_text_is_taken_in_without_it(session, link, smsc):
    first, _, third = parts("الف" * 100, 3)
    smsc.deliver(ON_THE_WIRE, first, data_coding=UCS2, esm_class=0x40)
    smsc.deliver(ON_THE_WIRE, third, data_coding=UCS2, esm_class=0x40)
    assert smsc_inbound_overdue(session, link) == 0 and inbound(session) == []
    session.execute(update(SmppPart).values(received_at=utcnow() - smpp_inbound.PARTS_WAIT - timedelta(seconds=1)))
    session.commit()
    assert smsc_inbound_overdue(session, link) == 1
    [text] = inbound(session)
    assert text.body.count("…") == 1 and text.body.startswith("الف") and text.body.endswith("الف")


def smsc_inbound_overdue(session, link) -> int:
    """The link's look for overdue parts, run now."""
    session.commit()
    return smpp_inbound.overdue(link.sessions)


@pytest.mark.parametrize("octets, coding, text", [
    ("Salam, ¿qué tal? 50€".encode("gsm03.38"), GSM7, "Salam, ¿qué tal? 50€"),
    ("Grüße aus Köln".encode("latin-1"), LATIN1, "Grüße aus Köln"),
    ("سلام ۱۲۸".encode("utf-16-be"), UCS2, "سلام ۱۲۸"),
])
def test_gsm7_latin1_and_ucs2_are_decoded(session, link, smsc, octets, coding, text):
    smsc.deliver(ON_THE_WIRE, octets, data_coding=coding)
    assert [t.body for t in inbound(session)] == [text]


def test_a_text_that_comes_while_the_database_is_down_is_not_acknowledged_and_comes_again(
        session, runtime, smsc, tmp_path):
    dead = sessionmaker(make_engine(f"sqlite:///{tmp_path}/missing/foad.sqlite3"))
    down = RunningLink(runtime, sessions=dead).start()
    refused = smsc.deliver(ON_THE_WIRE, "سلام")
    down.stop()
    assert smsc.delivered[refused] == consts.SMPP_ESME_RX_T_APPN and inbound(session) == []
    up = RunningLink(runtime).start()
    accepted = smsc.deliver(ON_THE_WIRE, "سلام")  # the SMSC's retry
    up.stop()
    assert smsc.delivered[accepted] == consts.SMPP_ESME_ROK
    assert [t.body for t in inbound(session)] == ["سلام"]
