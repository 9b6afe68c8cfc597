"""Asking a texter where the complaint goes, through the real webhook and jobs: the service,
then the province, in the tracking-code reply; answers in any digits or by name; routing that
waits for the answer at most FOAD_TRIAGE_WAIT_MINUTES, and goes at once when it comes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import notices, tracking
from models.events import Event
from models.messages import Message, MessageStatus, Purpose
from models.placing import TriageState
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.sms.builders import surveyed
from tests.sms.webhooks import CITIZEN, another_mobile
from tests.worker.conftest import configure  # noqa: F401  (a fixture)
from tests.worker.helpers import release, scheduled
from worker.routing import sweep_waits

MENU = "۱ شهرداری ۲ بانک ۳ درمان ۴ مالیات ۵ ثبت احوال ۶ آب و برق ۷ آموزش ۸ تامین اجتماعی ۹ سایر"
PROVINCE = "کدام استان؟ پیش‌شماره یا نامش را بفرستید (۲۱ تهران، ۸۱ همدان …)"
RUDE = "کارمند بی‌ادبی کرد"
"""Names a kind of fault and nothing else: no service, no place."""


def ticket_of(session, sender: str = CITIZEN) -> Ticket:
    """The sender's one ticket as stored now (the read ended: SQLite's write lock)."""
    session.rollback()
    session.expire_all()
    [ticket] = session.scalars(select(Ticket).where(Ticket.caller == sender)).unique().all()
    session.commit()
    return ticket


def timeline(session, ticket: Ticket) -> list[TicketEvent]:
    found = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)))
    session.commit()
    return found


def kinds(session, ticket: Ticket) -> list[str]:
    return [e.kind for e in timeline(session, ticket)]


def asking(session, ticket: Ticket) -> str | None:
    session.rollback()
    state = session.get(TriageState, ticket.id, populate_existing=True)
    session.commit()
    return state.asking if state else None


def code(ticket: Ticket) -> str:
    return tracking.for_reading(ticket.code)


def done(ticket: Ticket) -> str:
    return f"سپاس. شکایت {code(ticket)} به دستگاه مربوط ارجاع می‌شود."


def test_a_text_naming_no_service_is_asked_which_in_the_tracking_code_reply(twilio, session, runtime):
    reply = twilio.text(RUDE)
    ticket = ticket_of(session)
    assert reply == f"ثبت شد. کد پیگیری {code(ticket)}\nکدام دستگاه؟ {MENU}"
    assert not notices.gsm7(reply) and notices.segments(reply) == 2
    # Routing ran, and waits: the ticket is registered, its clock not started, a wake-up set.
    assert (ticket.status, ticket.due_at, ticket.category_code) == (TicketStatus.REGISTERED, None, "misconduct")
    [(job, at)] = [(j, t) for j, t in scheduled(runtime).items() if j.startswith("triage-wait-")]
    assert abs(at - (ticket.registered_at + timedelta(minutes=10))) < timedelta(seconds=2)
    assert kinds(session, ticket) == ["registered", "triaged", "question_asked"]


def test_the_answers_set_the_service_then_the_province_and_route_it_at_once(twilio, session, phones):
    twilio.text(RUDE)
    assert twilio.text("۲") == f"سپاس. {PROVINCE}"
    ticket = ticket_of(session)
    assert (ticket.sector_code, ticket.status, asking(session, ticket)) == ("banks", "registered", "province")
    assert twilio.text("۸۱") == done(ticket)
    ticket = ticket_of(session)
    assert (ticket.status, ticket.agency.code, ticket.province_code) == (TicketStatus.REFERRED, "BMI-HAM", "hamadan")
    assert ticket.due_at == ticket.registered_at + timedelta(hours=3)  # from registration, wait or none
    events = timeline(session, ticket)
    assert [e.kind for e in events] == ["registered", "triaged", "question_asked", "question_answered",
                                        "question_asked", "question_answered", "referred"]
    answers = [(e.actor, e.data["field"], e.data["value"], e.data["words"]) for e in events
               if e.kind == Event.QUESTION_ANSWERED]
    assert answers == [("citizen", "sector", "banks", "2"), ("citizen", "province", "hamadan", "81")]
    assert len(phones.replies(CITIZEN)) == 3  # one reply a text, the questions in them


@pytest.mark.parametrize("answer, sector", [
    ("2", "banks"), ("٢", "banks"), (" ۲. ", "banks"), ("بانک", "banks"), ("bank", "banks"),
    ("شهرداری", "municipality"), ("۸", "social_security"), ("9", None), ("سایر", None),
])
def test_the_service_is_answered_in_any_digits_or_by_name(twilio, session, answer, sector):
    sender = another_mobile()
    twilio.text(f"در همدان {RUDE}", sender=sender)  # the province is known: one question only
    assert twilio.text(answer, sender=sender).startswith("سپاس. شکایت")
    ticket = ticket_of(session, sender)
    assert (ticket.sector_code, ticket.status) == (sector, TicketStatus.REFERRED)
    assert ticket.agency.code == ({"banks": "BMI-HAM", "municipality": "MUN-HAM", "social_security": "SSO-HAM"}
                                  .get(sector, "FOAD-HAM"))  # "another service": the province's group


@pytest.mark.parametrize("answer, province, county", [
    ("81", "hamadan", None), ("۰۸۱", "hamadan", None), ("٨١", "hamadan", None), ("همدان", "hamadan", None),
    ("Hamedan", "hamadan", None), ("استان همدان", "hamadan", None), ("ملایر", "hamadan", "Malayer"),
    ("21", "tehran", None), ("تهران", "tehran", None), ("فارس", "fars", None), ("مرکزی", "markazi", None),
])
def test_the_province_is_answered_by_its_area_code_or_a_name(twilio, session, answer, province, county):
    sender = another_mobile()
    reply = twilio.text("شهرداری کوچه ما را آسفالت نکرد", sender=sender)
    assert reply.endswith(f"\n{PROVINCE}")  # the service is known: only the province is asked
    assert twilio.text(answer, sender=sender).startswith("سپاس. شکایت")
    ticket = ticket_of(session, sender)
    assert (ticket.province_code, ticket.county, ticket.status) == (province, county, TicketStatus.REFERRED)
    if county == "Malayer":
        assert ticket.agency.code == "MUN-HAM-MALAYER"


def test_a_named_agency_with_no_place_moves_to_its_office_in_the_province_answered(twilio, session):
    twilio.text("بانک ملی معطلم کرد")
    twilio.text("همدان")
    assert ticket_of(session).agency.code == "BMI-HAM"


def test_a_text_that_places_itself_gets_the_code_alone_and_is_referred_at_once(twilio, session, runtime):
    reply = twilio.text("شهرداری ملایر آسفالت کوچه را خراب کرد")
    ticket = ticket_of(session)
    assert reply == notices.render("tracking_code", "fa", code=ticket.code)
    assert (ticket.status, ticket.agency.code) == (TicketStatus.REFERRED, "MUN-HAM-MALAYER")
    triaged = timeline(session, ticket)[1]
    assert triaged.kind == "triaged" and triaged.data["applied"] == {
        "sector": "municipality", "province": "hamadan", "county": "Malayer", "agency": "MUN-HAM-MALAYER"}
    assert "ملایر" in triaged.data["reading"]["county"]["evidence"]
    assert not [j for j in scheduled(runtime) if j.startswith("triage-wait-")]


def test_a_text_that_is_no_answer_joins_the_complaint_and_nothing_more_is_asked(twilio, session):
    twilio.text(RUDE)
    reply = twilio.text("نامش را نمی‌دانم ولی پشت باجه دوم نشسته بود")
    ticket = ticket_of(session)
    assert reply == f"پیام شما به شکایت {code(ticket)} افزوده شد."
    assert (ticket.status, ticket.agency.code, asking(session, ticket)) == (TicketStatus.REFERRED, "ARAO", None)
    assert kinds(session, ticket)[-3:] == ["sms_appended", "question_ignored", "referred"]
    assert "افزوده شد" in twilio.text("۲")  # not asked again: a digit is just more of the complaint


def test_a_longer_text_is_read_again_with_the_complaint(twilio, session):
    twilio.text(RUDE)
    twilio.text("این ماجرا در اداره مالیات شهر همدان بود")  # more words than an answer has
    ticket = ticket_of(session)
    assert (ticket.sector_code, ticket.province_code, ticket.agency.code) == ("tax", "hamadan", "TAX-HAM")
    assert kinds(session, ticket).count("triaged") == 2


def test_a_key_the_menu_does_not_have_is_no_answer(twilio, session):
    twilio.text(RUDE)
    assert "افزوده شد" in twilio.text("0")
    assert asking(session, ticket_of(session)) is None


def test_a_photo_alone_leaves_the_question_open(twilio, twilio_api, session):
    twilio.text(RUDE)
    url = twilio_api.add_media("image/jpeg", b"\xff\xd8\xff\xe0 a photo")
    assert "افزوده شد" in twilio.text("", media=[(url, "image/jpeg")])
    assert asking(session, ticket_of(session)) == "sector"


def test_opt_out_help_and_status_come_first_while_a_question_is_open(twilio, session):
    twilio.text(RUDE)
    ticket = ticket_of(session)
    assert twilio.text("راهنما") == notices.render("sms_help", "fa")
    assert twilio.text(ticket.code).startswith(f"شکایت {code(ticket)}: ثبت شده")
    assert twilio.text("لغو") == notices.render("sms_opted_out", "fa")
    assert asking(session, ticket) == "sector"
    assert twilio.text("شروع") == notices.render("sms_opted_in", "fa")
    assert twilio.text("2") == f"سپاس. {PROVINCE}"  # still open, still answered


def test_a_number_that_opted_out_is_not_asked_and_routing_does_not_wait(twilio, phones, session):
    twilio.text("لغو")
    twilio.text(RUDE)
    ticket = ticket_of(session)
    [reply] = [m for m in phones.replies(CITIZEN) if m.ticket_id == ticket.id]
    assert reply.status == MessageStatus.OPTED_OUT and "کدام دستگاه" not in reply.body
    assert (ticket.status, ticket.agency.code) == (TicketStatus.REFERRED, "ARAO")
    assert "question_asked" not in kinds(session, ticket)


def test_an_english_text_is_asked_in_english(twilio, session):
    reply = twilio.text("The clerk was rude to me")
    ticket = ticket_of(session)
    assert reply == (f"Your complaint to 128 is registered. Tracking code: {tracking.spaced(ticket.code)}\n"
                     "Which service? Reply 1 city hall, 2 bank, 3 health, 4 tax, 5 civil registry, "
                     "6 water/power/gas, 7 education, 8 social security, 9 other")
    assert notices.gsm7(reply) and notices.segments(reply) == 2
    assert twilio.text("4").startswith("Thank you. Which province? Reply its area code")
    assert twilio.text("Tehran") == f"Thank you. Complaint {tracking.spaced(ticket.code)} goes to the office concerned."
    assert ticket_of(session).agency.code == "TAX-TEH"


def test_a_texter_abroad_is_not_asked(twilio, session):
    sender = "+447700900123"
    reply = twilio.text(RUDE, sender=sender)
    assert reply == notices.render("tracking_code", "fa", code=ticket_of(session, sender).code)
    assert ticket_of(session, sender).agency.code == "MFA-CONS"


# --- a digit: the survey's or the question's ------------------------------------------------

def test_a_digit_answers_the_question_put_after_a_survey_went_out(twilio, session):
    older = surveyed(session)  # its result and survey were texted first
    twilio.text(RUDE)
    assert twilio.text("2") == f"سپاس. {PROVINCE}"
    session.rollback()
    assert session.get(Ticket, older.id, populate_existing=True).status == TicketStatus.RESOLVED  # still open
    session.commit()


def test_a_digit_answers_a_survey_sent_after_the_question(twilio, session):
    twilio.text(RUDE)
    newer = ticket_of(session)
    older = surveyed(session)  # an earlier complaint's result and survey arrive meanwhile
    assert twilio.text("4").startswith("از نظر شما (۴ از ۵) سپاسگزاریم")
    session.rollback()
    assert session.get(Ticket, older.id, populate_existing=True).status == TicketStatus.CLOSED
    session.commit()
    assert asking(session, newer) == "sector"  # the question waits for its own answer
    assert twilio.text("1") == f"سپاس. {PROVINCE}"  # a second digit: no survey is pending now


# --- the wait -------------------------------------------------------------------------------

def test_with_no_answer_routing_refers_with_what_it_has_when_the_wait_ends(twilio, session, runtime,
                                                                             configure, work):
    twilio.text(f"در همدان {RUDE}")  # a province, no service
    ticket = ticket_of(session)
    later = ticket.registered_at + timedelta(minutes=10, seconds=1)
    configure(fixed_now=later)
    assert release(runtime, later) and work()
    ticket = ticket_of(session)
    assert (ticket.status, ticket.agency.code) == (TicketStatus.REFERRED, "FOAD-HAM")  # the province's group
    assert ticket.due_at == ticket.registered_at + timedelta(hours=3)
    ended = [e for e in timeline(session, ticket) if e.kind == Event.WAIT_ENDED]
    assert [(e.actor, e.data["asking"]) for e in ended] == [("system", "sector")]


def test_a_sure_service_goes_to_its_unit_when_the_province_never_comes(twilio, session, runtime, configure, work):
    twilio.text("مالیات را دو بار از من گرفتند")  # a service, no place: the province is asked
    ticket = ticket_of(session)
    later = ticket.registered_at + timedelta(minutes=11)
    configure(fixed_now=later)
    release(runtime, later)
    work()
    assert ticket_of(session).agency.code == "MEFA"  # the tax sector's national unit


def test_before_its_end_the_wait_goes_on(twilio, session, runtime, configure, work):
    twilio.text(RUDE)
    ticket = ticket_of(session)
    configure(fixed_now=ticket.registered_at + timedelta(minutes=5))
    assert sweep_waits() == 0
    assert ticket_of(session).status == TicketStatus.REGISTERED


def test_the_sweep_routes_a_ticket_whose_wake_up_was_lost(twilio, session, runtime, configure):
    twilio.text(RUDE)
    ticket = ticket_of(session)
    runtime.redis.flushdb()  # Redis lost the scheduled wake-up
    configure(fixed_now=ticket.registered_at + timedelta(minutes=10, seconds=1))
    assert sweep_waits() == 1
    assert ticket_of(session).agency.code == "ARAO"
    assert sweep_waits() == 0


def test_a_late_answer_moves_a_ticket_the_wait_sent_on(twilio, session, runtime, configure, work, phones):
    configure(triage_wait=timedelta(minutes=1))
    twilio.text(RUDE)
    ticket = ticket_of(session)
    later = ticket.registered_at + timedelta(minutes=1, seconds=1)
    configure(fixed_now=later)
    release(runtime, later)
    work()
    assert ticket_of(session).agency.code == "ARAO"
    assert twilio.text("4") == done(ticket)  # still within the thread's ten minutes
    ticket = ticket_of(session)
    assert (ticket.sector_code, ticket.agency.code) == ("tax", "MEFA")
    moved = timeline(session, ticket)[-1]
    assert (moved.kind, moved.actor, moved.data["rule"], moved.data["previous_agency"]) == (
        "referred", "citizen", "national", "ARAO")
    referrals = session.scalars(select(Message.number).where(
        Message.ticket_id == ticket.id, Message.purpose == Purpose.REFERRAL).order_by(Message.id)).all()
    session.commit()
    assert len(referrals) == 2  # the working group's, then the tax office's
