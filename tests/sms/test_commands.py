"""What a text means: opt-out and back, help, tracking codes, survey answers, threads."""

from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select, update

from models import optouts, tracking
from models.base import utcnow
from models.lookup import STATUS_LABELS
from models.messages import Direction, Message, MessageStatus, OptOut, Purpose
from models.outgoing import queue_text
from models.persian import jalali
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus, Via
from tests.builders import make_ticket
from tests.sms.builders import fresh, referred, surveyed
from tests.sms.webhooks import CITIZEN, another_mobile
from worker.queues import ROUTING

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
    session.rollback()
    found = session.get(OptOut, number) is not None
    session.commit()
    return found


# --- opt-out and back -------------------------------------------------------------------------

def test_twilio_stop_words_opt_out_and_leave_the_confirmation_to_twilio(twilio, session):
    for word in ["STOP", "stop", " Unsubscribe ", "CANCEL", "quit", "End", "STOPALL"]:
        sender = another_mobile()
        assert twilio.text(word, sender=sender) == "", word
        assert opted_out(session, sender), word
    assert count(session, Ticket) == 0


def test_persian_stop_words_opt_out_and_are_confirmed_once(twilio, phones, session):
    for word in ["لغو", "توقف", "لغو.", " توقف "]:
        sender = another_mobile()
        # The confirmation reaches the number although it has just opted out.
        assert twilio.text(word, sender=sender).startswith("دیگر پیامکی از ۱۲۸"), word
        assert twilio.text(word, sender=sender) == ""  # the second time: already done
        assert opted_out(session, sender), word
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
    optouts.opt_out(session, CITIZEN)
    texts = [queue_text(session, number=CITIZEN, body="x", purpose=purpose)
             for purpose in (Purpose.OPT_OUT, Purpose.REPLY, Purpose.RESULT, Purpose.SURVEY)]
    session.commit()
    assert [t.status for t in texts] == [MessageStatus.PENDING] + [MessageStatus.OPTED_OUT] * 3


@pytest.mark.parametrize("word,reply", [("START", ""),  # Twilio answers its own START words
                                        ("شروع", "پیامک‌های سامانه ۱۲۸ دوباره برای شما فرستاده می‌شود.")])
def test_start_words_resume_texting(twilio, session, word, reply):
    twilio.text("لغو")
    assert twilio.text(word) == reply and not opted_out(session)


# --- help -------------------------------------------------------------------------------------

def test_help_words_and_an_empty_text_get_the_help(twilio, session):
    for body, language in [("HELP", "en"), ("help", "en"), ("Info", "en"), ("راهنما", "fa"),
                           ("", "fa"), ("پیگیری", "fa")]:
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
    Queue(ROUTING, connection=runtime.redis).empty()  # not routed yet: no agency
    reply = twilio.text(f"status {ticket.code}")
    assert reply.startswith(f"Complaint {tracking.spaced(ticket.code)}: registered. Agency: being chosen.")


def test_a_mistyped_code_is_said_to_be_wrong(twilio, session):
    ticket = make_ticket(session)
    wrong = ticket.code[:-1] + str((int(ticket.code[-1]) + 1) % 10)
    assert twilio.text(f"پیگیری {wrong}").startswith("این کد پیگیری درست نیست")
    assert count(session, Ticket) == 1


def test_a_valid_code_nobody_has_is_said_to_be_unknown(twilio, session):
    code = "123456789" + tracking.check_digit("123456789")
    assert twilio.text(code) == f"شکایتی با کد {tracking.for_reading(code)} پیدا نشد."


# --- satisfaction survey ----------------------------------------------------------------------

def test_a_digit_answers_a_pending_survey_once_and_closes_the_ticket(twilio, phones, session):
    ticket = surveyed(session)
    form = twilio.form("۴")
    first = twilio.text("۴", sid=form["MessageSid"])
    assert first == f"از نظر شما (۴ از ۵) سپاسگزاریم. شکایت {tracking.for_reading(ticket.code)} بسته شد."
    twilio.deliver(form)  # a redelivery
    phones.answer(form["MessageSid"], 0)
    assert len(phones.replies(CITIZEN)) == 1
    session.rollback()
    answer = session.scalar(select(SurveyAnswer))
    assert (answer.ticket_id, answer.score, count(session, SurveyAnswer)) == (ticket.id, 4, 1)
    closed = fresh(session, ticket)
    assert closed.status == TicketStatus.CLOSED
    assert [e.kind for e in closed.events][-2:] == ["survey_answered", "closed"]


def test_survey_answers_in_latin_and_arabic_digits(twilio, session):
    for digit, score in [("2", 2), ("٣", 3), (" 5. ", 5)]:
        sender = another_mobile()
        ticket = surveyed(session, caller=sender)
        assert twilio.text(digit, sender=sender).startswith("از نظر شما")
        session.rollback()
        assert session.scalar(select(SurveyAnswer.score).where(SurveyAnswer.ticket_id == ticket.id)) == score


def test_a_second_answer_is_not_stored(twilio, session):
    ticket = surveyed(session)
    twilio.text("5")
    reply = twilio.text("1")  # the ticket is closed now: just a text, which joins nothing
    session.rollback()
    assert session.scalar(select(SurveyAnswer.score)) == 5
    assert "کد پیگیری" in reply and count(session, Ticket) == 2 and ticket.code not in reply


def test_a_digit_with_no_survey_waiting_is_an_ordinary_text(twilio, session):
    reply = twilio.text("3")
    assert "کد پیگیری" in reply and count(session, SurveyAnswer) == 0


# --- threads ----------------------------------------------------------------------------------

def test_a_text_soon_after_a_complaint_is_added_to_it(twilio, session):
    first = twilio.text("کارمند باجه نیامد")
    reply = twilio.text("شعبه میدان ونک، ساعت ۱۰ صبح")
    [ticket] = session.scalars(select(Ticket)).unique().all()
    assert reply == f"پیام شما به شکایت {tracking.for_reading(ticket.code)} افزوده شد."
    assert tracking.for_reading(ticket.code) in first
    assert ticket.text == "کارمند باجه نیامد\nشعبه میدان ونک، ساعت ۱۰ صبح"
    assert ticket.events[-1].kind == "sms_appended"
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
