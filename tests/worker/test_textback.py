"""Text-back: the result then the survey by SMS, a landline's result waiting, closing unanswered tickets."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import actions
from models.messages import Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus, Via
from models.tracking import for_reading, spaced
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, release, scheduled, tehran, texts
from worker.surveys import sweep_surveys
from worker.textback import RESULT_TEXTED, RESULT_WAITS, SURVEY_DELAY, send_survey, text_back

NOON = tehran(2026, 11, 28, 12, 0)


@pytest.fixture
def resolve(session, work, configure):
    """Open a ticket, route it, and resolve it at NOON; returns it."""

    def _resolve(result: str = "کارمند خاطی تذکر کتبی گرفت و پرونده شما انجام شد.", **complaint) -> Ticket:
        configure(fixed_now=NOON)
        ticket = open_at(session, NOON - timedelta(hours=1), **complaint)
        work(JOBS_BUT_SENDING)
        session.refresh(ticket)
        actions.resolve(session, ticket, result, actor=f"official:{ticket.official_id}", at=NOON)
        return ticket

    return _resolve


def test_the_citizen_gets_the_result_then_the_survey_once(runtime, session, resolve):
    ticket = resolve()
    text_back(ticket.id)
    text_back(ticket.id)  # a retry: nothing more
    [result] = texts(session, ticket, Purpose.RESULT)
    assert result.number == "+989121234567"
    assert for_reading(ticket.code) in result.body and "تذکر کتبی گرفت" in result.body
    assert texts(session, ticket, Purpose.SURVEY) == []  # not yet: it must arrive second
    wake = scheduled(runtime)[f"survey-{ticket.id}"]
    assert timedelta(seconds=50) < wake - result.created_at < timedelta(seconds=70)

    release(runtime, wake + SURVEY_DELAY)
    send_survey(ticket.id)
    [survey] = texts(session, ticket, Purpose.SURVEY)
    assert "۱" in survey.body and "۵" in survey.body
    send_survey(ticket.id)
    assert len(texts(session, ticket, Purpose.SURVEY)) == 1


def test_an_english_speaker_abroad_is_answered_in_english(session, resolve):
    ticket = resolve("The consulate has apologised and issued your passport.",
                     caller="+447700900123", language="en", text="The passport desk ignored me")
    text_back(ticket.id)
    send_survey(ticket.id)
    result, survey = texts(session, ticket)[-2:]
    assert result.body == f"Answer to your 128 complaint {spaced(ticket.code)}: " \
                          "The consulate has apologised and issued your passport."
    assert survey.number == "+447700900123" and "Reply 1" in survey.body


@pytest.mark.parametrize("caller", ["02188776655", "unknown"])
def test_a_landline_or_withheld_callers_result_waits_for_their_call(session, resolve, caller):
    ticket = resolve(via=Via.CALL, caller=caller, text=None, voice_path="a.wav")
    text_back(ticket.id)
    text_back(ticket.id)
    assert [m.purpose for m in texts(session, ticket)] == [Purpose.REFERRAL]
    waits = session.scalars(select(TicketEvent).where(TicketEvent.kind == RESULT_WAITS)).all()
    assert len(waits) == 1 and "follow-up call" in waits[0].note
    session.commit()


def test_a_very_long_result_is_cut_to_ten_segments(session, resolve):
    ticket = resolve("پاسخ " * 400)
    text_back(ticket.id)
    [result] = texts(session, ticket, Purpose.RESULT)
    assert len(result.body) <= 670 + 40 and result.body.endswith("…")


def test_the_sweep_sends_a_survey_redis_lost_and_closes_unanswered_tickets(
        runtime, session, resolve, configure):
    lost = resolve()
    text_back(lost.id)
    runtime.redis.flushdb()  # the survey's wake-up is gone
    configure(fixed_now=NOON + timedelta(minutes=11))
    assert sweep_surveys() == (1, 0)
    assert len(texts(session, lost, Purpose.SURVEY)) == 1
    assert sweep_surveys() == (0, 0)

    answered = resolve(caller="09127654321")
    text_back(answered.id)
    session.add(SurveyAnswer(ticket_id=answered.id, score=4))
    landline = resolve(via=Via.CALL, caller="02188776655", text=None, voice_path="b.wav")
    text_back(landline.id)
    session.commit()
    configure(fixed_now=NOON + timedelta(days=3))
    assert sweep_surveys()[1] == 2
    statuses = {t.id: t.status for t in session.scalars(
        select(Ticket).execution_options(populate_existing=True))}
    session.commit()
    assert statuses == {lost.id: TicketStatus.CLOSED, answered.id: TicketStatus.RESOLVED,
                        landline.id: TicketStatus.CLOSED}
