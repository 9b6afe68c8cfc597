"""Inbound texts through the webhook and the answer job: new complaints, languages, replays,
limits, blocklist, Redis down."""

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from models import tracking
from models.base import utcnow
from models.blocklist import block
from models.messages import Direction, Message, MessageStatus, Purpose
from models.notices import segments
from models.outbox import Job, OutboxItem
from models.persian import persian_digits
from models.tickets import CallerKind, Ticket, Via
from tests.sms.webhooks import CITIZEN, INBOUND, SERVICE_NUMBER, Twilio, another_mobile, reply_of
from worker.queues import NOTIFICATIONS, ROUTING


def tickets(session) -> list[Ticket]:
    session.rollback()
    return list(session.scalars(select(Ticket).order_by(Ticket.id)).unique())


def inbound(session, sid: str) -> Message:
    session.rollback()
    return session.scalar(select(Message).where(Message.provider_id == sid))


def inbound_count(session) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).where(Message.direction == Direction.IN))
    session.commit()
    return found


def outbox(session) -> list[OutboxItem]:
    session.rollback()
    found = list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
    session.commit()
    return found


def test_a_text_opens_a_complaint_and_the_reply_gives_the_code_in_persian_digits(twilio, session):
    body = "سلام. كارمند شعبه يك ساعت  معطل كرد\u200cند ۱۲۳"
    reply = twilio.text(body, sid="SM" + "1" * 32)
    [ticket] = tickets(session)
    assert tracking.for_reading(ticket.code) in reply and "کد پیگیری" in reply
    assert not any(ch.isascii() and ch.isdigit() for ch in reply)
    assert (ticket.via, ticket.caller, ticket.caller_kind, ticket.language) == (
        Via.SMS, CITIZEN, CallerKind.IR_MOBILE, "fa")
    assert ticket.text == body  # as sent: Arabic letters, ZWNJ and double space kept
    message = inbound(session, "SM" + "1" * 32)
    assert (message.direction, message.ticket_id, message.body, message.reply) == (
        Direction.IN, ticket.id, body, reply)
    assert (message.number, message.service_number, message.status) == (
        CITIZEN, SERVICE_NUMBER, MessageStatus.RECEIVED)


def test_a_national_format_sender_is_stored_in_e164(twilio, session):
    twilio.text("شکایت", sender="09121234567")
    assert tickets(session)[0].caller == CITIZEN


def test_a_latin_script_text_is_answered_in_english(twilio, session):
    reply = twilio.text("The clerk at the passport office was rude to me")
    [ticket] = tickets(session)
    assert ticket.language == "en" and reply.startswith("Your complaint to 128 is registered")
    assert tracking.spaced(ticket.code) in reply


def test_a_foreign_sender_is_answered_in_english_unless_writing_persian(twilio, session):
    english = twilio.text("📷 🙁", sender="+447700900123")
    persian = twilio.text("کنسولگری جواب نداد", sender="+447700900124")
    assert english.startswith("Your complaint") and "کد پیگیری" in persian
    assert [t.caller_kind for t in tickets(session)] == [CallerKind.FOREIGN, CallerKind.FOREIGN]


def test_long_texts_emoji_and_mixed_scripts_are_stored_intact(twilio, session):
    body = ("کارمند بانک ملی 🙁 said «come back tomorrow» سه بار؛ ١٢٣ ۴۵۶ 789 " * 30)[:1600]
    assert len(body) == 1600
    assert "کد پیگیری" in twilio.text(body)
    assert tickets(session)[0].text == body


def test_a_replayed_message_is_taken_in_once_and_answered_once(twilio, phones, session):
    form = twilio.form("صف طولانی و باجه بسته")
    after = phones.mark()
    twilio.deliver(form)
    twilio.deliver(form)  # Twilio retried before the first was answered
    reply = phones.answer(form["MessageSid"], after)
    twilio.deliver(form)  # and once more after it was
    assert phones.answer(form["MessageSid"], after) == reply
    assert "کد پیگیری" in reply and phones.received(CITIZEN) == [reply]
    assert len(tickets(session)) == 1 and inbound_count(session) == 1


def test_copies_delivered_at_the_same_moment_make_one_ticket_and_one_reply(app, twilio, phones,
                                                                         session):
    form = twilio.form("کارمند حضور نداشت")
    start, answers = threading.Barrier(6), []

    def deliver() -> None:
        copy = Twilio(app.test_client(), twilio.account_sid, "")
        copy.validator = twilio.validator
        start.wait()
        answers.append(reply_of(copy.post(INBOUND, form)))

    after = phones.mark()
    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [""] * 6  # each copy got the empty TwiML at once
    assert inbound_count(session) == 1 and [w.job for w in outbox(session)] == [Job.ANSWER_SMS]
    reply = phones.answer(form["MessageSid"], after)
    [ticket] = tickets(session)
    assert tracking.for_reading(ticket.code) in reply and phones.received(CITIZEN) == [reply]


def test_past_the_hourly_limit_a_polite_wait_and_no_ticket(twilio, session, runtime):
    limit = runtime.settings.max_complaints_per_hour
    sender = another_mobile()
    for n in range(limit):
        twilio.text(f"شکایت {n}", sender=sender)
        # Older than the ten minutes that join texts into one complaint, inside the hour.
        session.execute(update(Ticket).values(registered_at=utcnow() - timedelta(minutes=20)))
        session.commit()
    reply = twilio.text("شکایت دیگر", sender=sender)
    assert reply.startswith("شکایت‌های اخیر شما ثبت شده است") and len(tickets(session)) == limit


def test_past_the_limit_a_flooding_sender_is_told_to_wait_once_an_hour(twilio, phones, session, runtime):
    sender = another_mobile()
    for n in range(runtime.settings.max_complaints_per_hour):
        twilio.text(f"شکایت {n}", sender=sender)
        session.execute(update(Ticket).values(registered_at=utcnow() - timedelta(minutes=20)))
        session.commit()
    after = phones.mark()
    flood = [twilio.form(f"باز هم {n}", sender=sender) for n in range(4)]
    replies = []
    for form in flood:
        twilio.deliver(form)
        phones.work((ROUTING, NOTIFICATIONS))
        replies.append(phones.inbound(form["MessageSid"]).reply)
    assert replies[0].startswith("شکایت‌های اخیر شما ثبت شده است") and replies[1:] == [""] * 3
    [wait] = phones.replies(sender, after)
    assert wait.purpose == Purpose.PLEASE_WAIT
    assert len(phones.received(sender)) == runtime.settings.max_complaints_per_hour + 1
    assert inbound_count(session) == runtime.settings.max_complaints_per_hour + 4  # every text kept
    # An hour after it was told, the next text past the limit is told again.
    session.execute(update(Message).where(Message.id == wait.id).values(created_at=utcnow() - timedelta(minutes=61)))
    session.commit()
    assert twilio.text("و باز هم", sender=sender).startswith("شکایت‌های اخیر شما ثبت شده است")


def test_a_blocked_number_gets_no_reply_and_no_ticket(twilio, phones, session):
    block(session, CITIZEN, reason="nuisance")
    session.commit()
    assert twilio.text("مزاحمت") == ""
    assert tickets(session) == [] and phones.received(CITIZEN) == []
    # Kept, as abuse to look at; the webhook looks nothing up before storing a text.
    assert inbound(session, session.scalar(select(Message.provider_id))).reply == ""


def test_a_block_that_ran_out_no_longer_applies(twilio, session):
    block(session, CITIZEN, until=utcnow() - timedelta(minutes=1))
    session.commit()
    assert "کد پیگیری" in twilio.text("شکایت")


def test_a_message_without_a_sid_is_malformed(twilio):
    form = twilio.form("سلام")
    for key in ("MessageSid", "SmsSid", "SmsMessageSid"):
        form.pop(key)
    assert twilio.post(INBOUND, form).status_code == 400


def test_every_reply_fits_in_two_segments(twilio, session):
    replies = [twilio.text("x" * 1600, sender=another_mobile()), twilio.text("HELP"),
               twilio.text("راهنما"), twilio.text(persian_digits("4821930576")),
               twilio.text("لغو", sender=another_mobile())]
    assert all(reply and segments(reply) <= 2 for reply in replies)
