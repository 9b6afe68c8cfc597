"""Asking the citizen: the console's question goes out through the provider, and what the
complainant texts back lands in that ticket's thread instead of opening a new complaint."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import asking, tracking
from models.asking import BadQuestion, CannotText
from models.errors import IllegalTransition
from models.messages import Direction, Message, OptOutSource, Purpose
from models.optouts import opt_out
from models.tickets import Ticket, Via
from tests.sms.builders import fresh, referred
from tests.sms.webhooks import CITIZEN, another_mobile
from worker.queues import NOTIFICATIONS


def received(twilio_api, number: str) -> list[str]:
    return [m.body for m in twilio_api.messages if m.to == number]


def tickets(session) -> int:
    found = session.scalar(select(func.count()).select_from(Ticket))
    session.commit()
    return found


def test_the_question_is_texted_and_the_answer_joins_the_ticket(session, work, twilio, twilio_api):
    ticket = referred(session, text="کارمند باجه نیامد")
    asking.ask(session, ticket, "کدام شعبه بود؟", actor="user:sara")
    assert work((NOTIFICATIONS,))
    [question] = received(twilio_api, CITIZEN)
    assert question == f"۱۲۸، شکایت {tracking.for_reading(ticket.code)}: کدام شعبه بود؟ پاسخ را پیامک کنید."
    before = tickets(session)
    reply = twilio.text("شعبه مرکزی، خیابان آزادی")
    assert reply == f"پاسخ شما به شکایت {tracking.for_reading(ticket.code)} افزوده شد. سپاس."
    assert tickets(session) == before  # no new complaint
    ticket = fresh(session, ticket)
    answer = ticket.events[-1]
    assert (answer.kind, answer.actor, answer.note) == ("citizen_answered", "citizen", "شعبه مرکزی، خیابان آزادی")
    inbound = session.scalar(select(Message).where(Message.direction == Direction.IN))
    assert inbound.ticket_id == ticket.id and answer.data["message"] == inbound.id
    assert ticket.text == "کارمند باجه نیامد"  # the complaint stays as filed


def test_a_second_text_soon_after_joins_too_then_texts_are_complaints_again(session, twilio, phones):
    ticket = referred(session)
    asking.ask(session, ticket, "ساعت چند بود؟", actor="user:sara")
    twilio.text("ساعت ۱۰")
    twilio.text("صبح")
    assert [e.kind for e in fresh(session, ticket).events].count("citizen_answered") == 2
    # A text arriving past the thread's ten minutes after the first answer is a new complaint.
    before, after = tickets(session), phones.mark()
    form = twilio.form("یک شکایت دیگر از بانک")
    twilio.deliver(form)
    late = session.scalar(select(Message).where(Message.provider_id == form["MessageSid"]))
    late.created_at += timedelta(minutes=11)
    session.commit()
    assert "کد پیگیری" in phones.answer(form["MessageSid"], after)
    assert tickets(session) == before + 1

def test_no_question_means_an_ordinary_new_complaint(session, twilio):
    referred(session, caller=CITIZEN)
    before = tickets(session)
    assert "کد پیگیری" in twilio.text("شکایت تازه", sender=another_mobile())
    assert tickets(session) == before + 1


def test_a_landline_cannot_be_asked(session):
    ticket = referred(session, via=Via.CALL, caller="02188776655", text=None, voice_path="v.wav")
    with pytest.raises(CannotText):
        asking.ask(session, ticket, "کدام شعبه؟", actor="user:sara")


def test_an_opted_out_number_an_empty_or_long_question_and_a_closed_ticket_are_refused(session):
    ticket = referred(session, caller=another_mobile())
    with pytest.raises(BadQuestion):
        asking.ask(session, ticket, "   ", actor="user:sara")
    with pytest.raises(BadQuestion):
        asking.ask(session, ticket, "چرا " * 60, actor="user:sara")
    opt_out(session, ticket.caller, OptOutSource.OURS)
    session.commit()
    with pytest.raises(CannotText):
        asking.ask(session, ticket, "کدام شعبه؟", actor="user:sara")
    session.rollback()
    ticket.status = "closed"
    with pytest.raises(IllegalTransition):
        asking.ask(session, ticket, "کدام شعبه؟", actor="user:sara")
    session.rollback()
    assert session.scalar(select(func.count()).where(Message.purpose == Purpose.QUESTION)) == 0
