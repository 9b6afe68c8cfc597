"""The SMS webhooks under attack: fields PostgreSQL cannot hold, signed by Twilio (or by
whoever holds the token), answered without a fault and without losing the text."""

from __future__ import annotations

from sqlalchemy import select

from models.messages import Direction, Message
from tests.sms.webhooks import INBOUND, STATUS, reply_of


def inbound(session) -> list[Message]:
    session.rollback()
    return list(session.scalars(select(Message).where(Message.direction == Direction.IN).order_by(Message.id)))


def test_a_nul_in_the_body_is_dropped_and_the_complaint_kept(twilio, session):
    assert reply_of(twilio.post(INBOUND, twilio.form("کارمند\x00 باجه نیامد"))) == ""
    [message] = inbound(session)
    assert message.body == "کارمند باجه نیامد"


def test_a_nul_in_the_sender_or_the_id_keeps_the_text(twilio, session):
    form = twilio.form("صف طولانی", sender="+98912\x001234567", sid="SM\x00" + "a" * 32)
    assert reply_of(twilio.post(INBOUND, form)) == ""
    [message] = inbound(session)
    assert (message.number, message.provider_id, message.body) == ("+989121234567", "SM" + "a" * 32, "صف طولانی")


def test_an_id_longer_than_any_of_twilios_is_kept_and_its_copy_is_still_one(twilio, session):
    form = twilio.form("شکایت", sid="SM" + "f" * 98)
    twilio.deliver(form)
    twilio.deliver(form)  # Twilio's retry of the same message
    [message] = inbound(session)
    assert message.body == "شکایت" and len(message.provider_id) <= 64 and message.provider_id.startswith("#")


def test_an_id_that_is_only_nul_is_a_clear_400(twilio, session):
    assert twilio.post(INBOUND, twilio.form("x", sid="\x00\x00")).status_code == 400
    assert inbound(session) == []


def test_attachment_fields_with_nul_are_kept_clean(twilio, session, twilio_api):
    url = twilio_api.add_media("image/jpeg", b"\xff\xd8\xff\xe0photo")
    twilio.deliver(twilio.form("عکس", media=[(url + "\x00", "image/jpeg\x00")]))
    [message] = inbound(session)
    assert message.media == [[url, "image/jpeg"]]


def test_delivery_reports_with_bad_fields_are_answered_not_faulted(twilio):
    bad = [dict(sid="SM\x00x", status="delivered"), dict(sid="SM" + "1" * 200, status="failed"),
           dict(sid="SMx", status="failed", error_code="3" * 300), dict(sid="SMx", status="sent\x00")]
    for report in bad:
        assert twilio.report(**report).status_code == 204
    for ref in ("99999999999999999999999", "%C2%B2", "1" * 5000):  # %C2%B2: "²", a digit int() refuses
        assert twilio.post(f"{STATUS}?ref={ref}", {"MessageSid": "SMy", "MessageStatus": "sent"}).status_code == 204


def test_a_webhooks_answer_sets_no_cookie_and_carries_the_security_headers(twilio):
    answer = twilio.post(INBOUND, twilio.form("صف طولانی"))
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["Cache-Control"] == "no-store"
    assert [name for name, _ in answer.headers].count("X-Content-Type-Options") == 1
