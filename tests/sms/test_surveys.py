"""A lone 1-5 answers a pending satisfaction survey: stored once, thanked once, however often
the answer job runs, whatever arrives at the same moment."""

import threading
from datetime import timedelta

from sqlalchemy import select, update

from models import actions, tracking
from models.base import utcnow
from models.locking import locked_ticket
from models.messages import Message
from models.outbox import OutboxItem
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus
from sms.answering import answer_sms
from tests.sms.builders import fresh, surveyed
from tests.sms.locks import backend_pid, wait_until_waiting
from tests.sms.test_answering import count
from tests.sms.webhooks import CITIZEN, another_mobile
from worker.queues import NOTIFICATIONS


def thanks(ticket: Ticket, score: str) -> str:
    return f"از نظر شما ({score} از ۵) سپاسگزاریم. شکایت {tracking.for_reading(ticket.code)} بسته شد."


def already(ticket: Ticket) -> str:
    return f"نظر شما دربارهٔ شکایت {tracking.for_reading(ticket.code)} پیش‌تر ثبت شده است. سپاس."


def snapshot(session) -> tuple[int, ...]:
    """How many rows of each kind an answer writes."""
    return tuple(count(session, model) for model in (SurveyAnswer, Ticket, TicketEvent, Message, OutboxItem))


def test_a_digit_answers_a_pending_survey_once_and_closes_the_ticket(twilio, phones, session):
    ticket = surveyed(session)
    form = twilio.form("۴")
    first = twilio.text("۴", sid=form["MessageSid"])
    assert first == thanks(ticket, "۴")
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


def test_the_answer_job_run_again_on_a_survey_answer_changes_nothing(twilio, phones, session):
    ticket = surveyed(session)
    phones.work((NOTIFICATIONS,))  # the result and the survey reach the phone before its answer
    form = twilio.form("5")
    twilio.deliver(form)
    reply = phones.answer(form["MessageSid"], 0)
    before = snapshot(session)
    answer_sms(phones.inbound(form["MessageSid"]).id)  # a retry, or work the relay pushed again
    assert snapshot(session) == before
    assert phones.answer(form["MessageSid"], 0) == reply == thanks(ticket, "۵")
    assert phones.received(CITIZEN)[-1:] == [reply] and len(phones.replies(CITIZEN)) == 1


def test_a_second_digit_soon_after_the_answer_is_not_stored_and_says_so(twilio, session):
    ticket = surveyed(session)
    twilio.text("5")
    assert twilio.text("1") == already(ticket)  # a change of mind is not a new complaint
    session.rollback()
    assert session.scalar(select(SurveyAnswer.score)) == 5
    assert (count(session, Ticket), count(session, SurveyAnswer)) == (1, 1)
    assert [e.kind for e in fresh(session, ticket).events].count("closed") == 1


def test_a_digit_long_after_the_answer_is_an_ordinary_text(twilio, session):
    surveyed(session)
    twilio.text("5")
    session.execute(update(SurveyAnswer).values(answered_at=utcnow() - timedelta(minutes=11)))
    session.commit()
    assert "کد پیگیری" in twilio.text("1") and count(session, Ticket) == 2


def test_two_different_answers_at_once_store_the_one_that_came_first(twilio, phones, session):
    ticket = surveyed(session)
    first, second = twilio.form("4"), twilio.form("2")
    twilio.deliver(first)
    twilio.deliver(second)
    ids = [phones.inbound(form["MessageSid"]).id for form in (second, first)]  # the later one's job first
    start = threading.Barrier(2)

    def run(message_id: int) -> None:
        start.wait()
        answer_sms(message_id)

    both = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in both:
        t.start()
    for t in both:
        t.join()
    assert [phones.inbound(f["MessageSid"]).reply for f in (first, second)] == [thanks(ticket, "۴"), already(ticket)]
    session.rollback()
    assert session.scalars(select(SurveyAnswer.score)).all() == [4]
    assert [e.kind for e in fresh(session, ticket).events].count("closed") == 1


def test_a_survey_the_sweep_closes_meanwhile_takes_no_answer(twilio, phones, runtime, session):
    ticket = surveyed(session)
    form = twilio.form("4")
    twilio.deliver(form)
    message_id = phones.inbound(form["MessageSid"]).id
    with runtime.session() as sweep:  # as worker/surveys.py closes an unanswered survey
        actions.close(sweep, locked_ticket(sweep, ticket.id), actor="system", commit=False)
        sweep.flush()
        job = threading.Thread(target=answer_sms, args=(message_id,))
        job.start()
        wait_until_waiting(runtime, backend_pid(sweep), 1)
        sweep.commit()
    job.join()
    assert count(session, SurveyAnswer) == 0
    closed = fresh(session, ticket)
    assert [(e.kind, e.actor) for e in closed.events if e.kind == "closed"] == [("closed", "system")]
    # Not an answer any more: a lone digit with no survey waiting is just a text.
    assert "کد پیگیری" in phones.answer(form["MessageSid"], 0)


def test_a_digit_with_no_survey_waiting_is_an_ordinary_text(twilio, session):
    reply = twilio.text("3")
    assert "کد پیگیری" in reply and count(session, SurveyAnswer) == 0
