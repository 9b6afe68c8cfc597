"""Texts to and from SMPP's octets: the engine's segment counts hold on the air."""

import pytest

from models import notices
from sms.smpp import receipts, texts

BODIES = ["کد", "x" * 160, "x" * 161, "ک" * 70, "ک" * 71, "ک" * 134, "ک" * 135, "€" * 80, "€" * 81,
          "😀" * 35, "😀" * 36, "a" + "😀" * 66 + "b", notices.render("survey", "fa", code="4821930576"),
          notices.render("survey", "en", code="4821930576")]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("sar", [False, True])
def test_a_text_goes_in_exactly_the_parts_the_engine_counted(body, sar):
    out = texts.outgoing(body, sar=sar)
    assert len(out.parts) == notices.segments(body)
    assert out.data_coding == (texts.GSM7 if notices.gsm7(body) else texts.UCS2)
    octets = b"".join(texts.split_header(p.short_message, p.esm_class)[1] for p in out.parts)
    assert texts.decode(octets, out.data_coding) == body
    assert all(len(p.short_message) <= 140 or out.data_coding == texts.GSM7 for p in out.parts)


def test_a_udh_with_a_16_bit_reference_is_read():
    concat, rest = texts.split_header(bytes([6, 8, 4, 1, 44, 3, 2]) + b"hi", texts.UDHI)
    assert (concat, rest) == (texts.Concat(300, 3, 2), b"hi")


def test_a_receipt_reads_its_tlvs_before_its_text():
    text = "id:ABC sub:001 dlvrd:000 submit date:2512011200 done date:2512011201 stat:UNDELIV err:034 text:Salam"
    assert receipts.read(text, None, None, None) == receipts.Receipt("ABC", "UNDELIV", "034", "Salam")
    by_tlv = receipts.read(text, "00ab", 2, None)
    assert (by_tlv.smsc_id, by_tlv.status) == ("00ab", receipts.STATUS["DELIVRD"])
    assert receipts.read("no receipt here", None, None, None) is None
