"""What a text means: opt-out and back, help, tracking codes, threads (survey answers:
test_surveys.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from models import optouts, tracking
from models.base import utcnow
from models.lookup import STATUS_LABELS
from models.messages import Direction, Message, MessageStatus, OptOut, OptOutSource, Purpose
from models.notices import gsm7, segments
from models.outgoing import queue_text
from models.persian import jalali
from models.tickets import Ticket, TicketStatus, Via
from tests.builders import agency, make_ticket
from tests.sms.builders import fresh, referred
from tests.sms.webhooks import CITIZEN, another_mobile
from tests.waiting import forget
from worker.queues import NOTIFICATIONS, ROUTING

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# Each read ends its transaction: on SQLite any transaction holds the write lock, and the
# next webhook request needs it.

def count(session, model) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).select_from(model))
    session.commit()
    return found


def opted_out(session, number=CITIZEN) -> bool:
    return opt_out_source(session, number) is not None


def opt_out_source(session, number=CITIZEN) -> OptOutSource | None:
    """Who stopped texts to `number`, None when it may be texted."""
    session.rollback()
    found = session.get(OptOut, number, populate_existing=True)
    session.commit()
    return OptOutSource(found.source) if found else None


# --- opt-out and back -------------------------------------------------------------------------

def test_twilio_stop_words_opt_out_and_leave_the_confirmation_to_twilio(twilio, session):
    for word in ["STOP", "stop", " Unsubscribe ", "CANCEL", "quit", "End", "STOPALL"]:
        sender = another_mobile()
        assert twilio.text(word, sender=sender) == "", word
        assert opt_out_source(session, sender) is OptOutSource.TWILIO, word
    assert count(session, Ticket) == 0


def test_persian_stop_words_opt_out_and_are_confirmed_once(twilio, phones, session):
    for word in ["لغو", "توقف", "لغو.", " توقف "]:
        sender = another_mobile()
        # The confirmation reaches the number although it has just opted out.
        assert twilio.text(word, sender=sender).startswith("دیگر پیامکی از ۱۲۸"), word
        assert twilio.text(word, sender=sender) == ""  # the second time: already done
        assert opt_out_source(session, sender) is OptOutSource.OURS, word
        assert len(phones.received(sender)) == 1
    assert count(session, Ticket) == 0


def test_an_opted_out_number_is_not_texted(twilio, session):
    twilio.text("لغو")
    message = queue_text(session, number=CITIZEN, body="x", purpose=Purpose.RESULT)
    session.commit()
    assert message.status == MessageStatus.OPTED_OUT


def test_after_the_confirmation_an_opted_out_number_gets_no_replies(twilio, phones, session):
    twilio.text("توقف")
    assert twilio.text("کارمند نیامد") == ""  # the complaint is taken; its reply is not sent
    assert count(session, Ticket) == 1
    [confirmation, code] = phones.replies(CITIZEN)
    assert (confirmation.purpose, confirmation.status) == (Purpose.OPT_OUT, MessageStatus.QUEUED)
    assert (code.purpose, code.status) == (Purpose.REPLY, MessageStatus.OPTED_OUT)
    assert phones.received(CITIZEN) == [confirmation.body]


def test_a_confirmation_is_the_only_text_that_passes_an_opt_out(session):
    optouts.opt_out(session, CITIZEN, OptOutSource.OURS)
    texts = [queue_text(session, number=CITIZEN, body="x", purpose=purpose)
             for purpose in (Purpose.OPT_OUT, Purpose.REPLY, Purpose.RESULT, Purpose.SURVEY)]
    session.commit()
    assert [t.status for t in texts] == [MessageStatus.PENDING] + [MessageStatus.OPTED_OUT] * 3


@pytest.mark.parametrize("word,reply", [("START", ""),  # Twilio answers its own START words
                                        ("شروع", "پیامک‌های سامانه ۱۲۸ دوباره برای شما فرستاده می‌شود.")])
def test_start_words_resume_texting(twilio, session, word, reply):
    twilio.text("لغو")
    assert twilio.text(word) == reply and not opted_out(session)


START_AT_TWILIO = "برای از سرگیری پیامک‌های ۱۲۸ کلمهٔ START را بفرستید."


def test_after_twilios_stop_shoru_says_to_send_start_and_resumes_nothing(twilio, phones, session,
                                                                           twilio_api):
    twilio.text("STOP")
    twilio_api.unsubscribed.add(CITIZEN)  # as Twilio does: nothing reaches the number now
    after = phones.mark()
    form = twilio.form("شروع")
    twilio.deliver(form)
    phones.answer(form["MessageSid"], after)
    assert phones.inbound(form["MessageSid"]).reply == START_AT_TWILIO
    assert opt_out_source(session) is OptOutSource.TWILIO  # still stopped: no promise broken
    # The hint is the one text we try (Twilio may refuse it too); nothing else is queued.
    [hint] = phones.replies(CITIZEN, after)
    assert (hint.purpose, hint.status, hint.error_code) == (Purpose.OPT_OUT, MessageStatus.FAILED, "21610")
    assert twilio.text("کارمند نیامد") == ""
    assert phones.replies(CITIZEN, after)[-1].status == MessageStatus.OPTED_OUT
    twilio_api.unsubscribed.discard(CITIZEN)
    assert twilio.text("START") == "" and not opted_out(session)  # Twilio answers its START
    assert "افزوده شد" in twilio.text("شعبه ونک")  # texts reach the number again


def test_a_twilio_refusal_21610_is_twilios_opt_out_too(twilio, phones, session, twilio_api, work):
    sender = another_mobile()
    twilio_api.unsubscribed.add(sender)
    queue_text(session, number=sender, body="نتیجه", purpose=Purpose.RESULT)
    session.commit()
    work((NOTIFICATIONS,))
    assert opt_out_source(session, sender) is OptOutSource.TWILIO
    twilio_api.unsubscribed.discard(sender)  # say Twilio's block came from another sender of ours
    assert twilio.text("شروع", sender=sender) == START_AT_TWILIO
    assert opted_out(session, sender)


def test_twilios_stop_after_ours_makes_the_opt_out_twilios(twilio, session):
    twilio.text("لغو")
    assert twilio.text("STOP") == "" and opt_out_source(session) is OptOutSource.TWILIO
    assert twilio.text("شروع") == START_AT_TWILIO and opted_out(session)
    twilio.text("لغو")  # ours again changes nothing: Twilio still blocks
    assert opt_out_source(session) is OptOutSource.TWILIO


def test_shoru_from_a_number_that_never_stopped_says_texts_come(twilio, session):
    assert twilio.text("شروع") == "پیامک‌های سامانه ۱۲۸ دوباره برای شما فرستاده می‌شود."
    assert not opted_out(session) and count(session, Ticket) == 0


# --- help -------------------------------------------------------------------------------------

def test_help_words_and_an_empty_text_get_the_help(twilio, session):
    for body, language in [("HELP", "en"), ("help", "en"), ("Info", "en"), ("راهنما", "fa"),
                           ("کمک", "fa"), ("", "fa"), ("پیگیری", "fa"), ("کد", "fa"), ("کد پیگیری", "fa"),
                           ("code", "en"), ("Status", "en"), ("track", "en"), ("وضعیت؟", "fa")]:
        reply = twilio.text(body)
        assert reply.startswith("128: text your complaint" if language == "en" else "سامانه ۱۲۸"), body
    assert count(session, Ticket) == 0


# --- tracking codes ---------------------------------------------------------------------------

def test_a_tracking_code_in_any_digits_gets_the_status(twilio, session):
    code = referred(session, caller=another_mobile()).code
    spaced = tracking.spaced(code)
    for body in [code, spaced, f"پیگیری {code}", f"پی‌گیری: {spaced}", f"کد پیگیری {code}",
                 f"status {code}", code.translate(PERSIAN), f"پيگيري {code.translate(ARABIC_INDIC)}",
                 f"track {spaced.translate(PERSIAN)}", f"وضعیت {spaced.translate(ARABIC_INDIC)}؟"]:
        reply = twilio.text(body)
        fa, en = STATUS_LABELS[TicketStatus.REFERRED]
        assert tracking.for_reading(code) in reply or spaced in reply, body
        assert fa in reply or en in reply, body
    assert count(session, Ticket) == 1


def test_someone_else_learns_only_status_agency_and_time(twilio, session):
    ticket = referred(session, caller=another_mobile(), text="متن خصوصی شکایت")
    reply = twilio.text(ticket.code)
    assert reply == (f"شکایت {tracking.for_reading(ticket.code)}: ارجاع شده به دستگاه\n"
                     f"دستگاه: مدیریت شعب بانک ملی استان تهران\n"
                     f"آخرین اقدام: {jalali(ticket.last_step_at)}")
    session.rollback()
    asked = session.scalar(select(Message).where(Message.reply == reply))
    assert asked.ticket_id is None  # not filed on a stranger's ticket


def test_the_complainant_also_learns_the_time_left(twilio, session):
    ticket = referred(session)
    session.execute(update(Ticket).values(due_at=utcnow() + timedelta(hours=2, minutes=30, seconds=20)))
    session.commit()
    reply = twilio.text(f"پیگیری {ticket.code}")
    assert reply.startswith(f"شکایت شما {tracking.for_reading(ticket.code)}: ارجاع شده به دستگاه")
    assert reply.endswith("مهلت پاسخ: ۲ ساعت و ۳۰ دقیقه")


def test_an_english_status_question_gets_an_english_status(twilio, session, runtime):
    ticket = make_ticket(session, caller=another_mobile())
    forget(runtime.redis, ROUTING)  # not routed yet: no agency
    reply = twilio.text(f"status {ticket.code}")
    assert reply.startswith(f"Complaint {tracking.spaced(ticket.code)}: registered. Agency: being chosen.")


@pytest.mark.parametrize("name_en", ["Bank Melli branches of the Province of Tehran " * 5, ""])
def test_status_replies_fit_two_segments_with_the_longest_agency_names(twilio, session, name_en):
    unit = agency(session, "BMI-TEH")
    unit.name_fa, unit.name_en = ("مدیریت شعب بانک ملی استان تهران " * 7)[:200], name_en[:200]
    session.commit()
    ticket = referred(session)
    session.execute(update(Ticket).values(due_at=utcnow() + timedelta(hours=99)))
    session.commit()
    stranger = another_mobile()
    for sender, body, language in [(CITIZEN, ticket.code, "fa"), (CITIZEN, f"status {ticket.code}", "en"),
                                   (stranger, ticket.code, "fa"), (stranger, f"status {ticket.code}", "en")]:
        reply = twilio.text(body, sender=sender)
        assert segments(reply) <= 2, reply
        assert reply.startswith("Your complaint" if sender == CITIZEN else "Complaint") or language == "fa"
        if language == "en" and name_en:  # all GSM-7: two segments of 153 hold the whole name
            assert gsm7(reply) and " ".join(unit.name_en.split()) in reply
        else:  # UCS-2: two segments of 67; an English reply names the agency in Persian
            assert not gsm7(reply) and "مدیریت شعب بانک ملی" in reply and "…" in reply
    assert count(session, Ticket) == 1


def test_a_mistyped_code_is_said_to_be_wrong(twilio, session):
    ticket = make_ticket(session)
    wrong = ticket.code[:-1] + str((int(ticket.code[-1]) + 1) % 10)
    assert twilio.text(f"پیگیری {wrong}").startswith("این کد پیگیری درست نیست")
    assert count(session, Ticket) == 1


def test_a_valid_code_nobody_has_is_said_to_be_unknown(twilio, session):
    code = "123456789" + tracking.check_digit("123456789")
    assert twilio.text(code) == f"شکایتی با کد {tracking.for_reading(code)} پیدا نشد."


# --- threads ----------------------------------------------------------------------------------

def test_a_text_soon_after_a_complaint_is_added_to_it(twilio, session):
    first = twilio.text("کارمند باجه نیامد")
    reply = twilio.text("شعبه میدان ونک، ساعت ۱۰ صبح")
    [ticket] = session.scalars(select(Ticket)).unique().all()
    assert reply == f"پیام شما به شکایت {tracking.for_reading(ticket.code)} افزوده شد."
    assert tracking.for_reading(ticket.code) in first
    assert ticket.text == "کارمند باجه نیامد\nشعبه میدان ونک، ساعت ۱۰ صبح"
    [appended] = [e for e in ticket.events if e.kind == "sms_appended"]
    assert (appended.actor, appended.note) == ("citizen", "شعبه میدان ونک، ساعت ۱۰ صبح")
    assert session.scalar(select(func.count()).where(
        Message.ticket_id == ticket.id, Message.direction == Direction.IN)) == 2


def test_after_ten_minutes_a_text_is_a_new_complaint(twilio, session):
    twilio.text("کارمند باجه نیامد")
    session.execute(update(Ticket).values(registered_at=utcnow() - timedelta(minutes=10, seconds=5)))
    session.commit()
    twilio.text("این بار در شعبه دیگر")
    assert count(session, Ticket) == 2


def test_a_text_after_a_phone_complaint_joins_it_too(twilio, session):
    ticket = make_ticket(session, via=Via.CALL, caller="09121234567", text=None, voice_path="v/1.wav")
    assert "افزوده شد" in twilio.text("نام کارمند: رضایی")
    assert fresh(session, ticket).text == "نام کارمند: رضایی"


def test_a_text_after_a_closed_complaint_opens_a_new_one(twilio, session):
    referred(session)
    session.execute(update(Ticket).values(status=TicketStatus.REJECTED))
    session.commit()
    assert "کد پیگیری" in twilio.text("دوباره همان مشکل")
    assert count(session, Ticket) == 2
