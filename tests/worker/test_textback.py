"""Text-back: the result then the survey by SMS, a result waiting for the citizen's call
(a landline, a refused text), closing unanswered tickets."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import actions, sending
from models.events import Event
from models.messages import MessageStatus, Purpose
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus, Via, record
from models.tracking import for_reading, spaced
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, release, scheduled, tehran, texts
from worker.queues import NOTIFICATIONS
from worker.surveys import sweep_surveys
from worker.textback import SURVEY_DELAY, send_survey, text_back

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
    waits = session.scalars(select(TicketEvent).where(TicketEvent.kind == Event.RESULT_WAITS)).all()
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
    assert sweep_surveys()[1] == 1
    assert statuses(session) == {lost.id: TicketStatus.CLOSED, answered.id: TicketStatus.RESOLVED,
                                 landline.id: TicketStatus.RESOLVED}  # its result still waits


def statuses(session) -> dict[int, TicketStatus]:
    tickets = session.scalars(select(Ticket).execution_options(populate_existing=True))
    found = {t.id: t.status for t in tickets}
    session.commit()
    return found


def test_a_waiting_result_closes_the_timeout_after_a_call_read_it(session, resolve, configure):
    landline = resolve(via=Via.CALL, caller="02188776655", text=None, voice_path="b.wav")
    text_back(landline.id)
    told = NOON + timedelta(days=5)
    record(session.get(Ticket, landline.id), Event.RESULT_TOLD, at=told)  # the follow-up call read it
    session.commit()
    configure(fixed_now=told + timedelta(days=3) - timedelta(minutes=1))
    assert sweep_surveys()[1] == 0
    configure(fixed_now=told + timedelta(days=3))
    assert sweep_surveys()[1] == 1
    assert statuses(session)[landline.id] == TicketStatus.CLOSED


@pytest.fixture
def texting(configure, twilio_api):  # noqa: F811  (the fixture above)
    """Texts go through the local Twilio-compatible server."""
    configure(twilio=twilio_api.settings())
    return twilio_api


def waits(session, ticket) -> list[TicketEvent]:
    found = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == Event.RESULT_WAITS)))
    session.commit()
    return found


def test_a_result_text_refused_for_good_waits_for_the_call_and_no_survey_follows(
        session, resolve, work, texting, configure):
    texting.unsubscribed.add("+989121234567")  # the citizen sent STOP to Twilio
    ticket = resolve()
    text_back(ticket.id)
    work((NOTIFICATIONS,))
    [result] = texts(session, ticket, Purpose.RESULT)
    assert (result.status, result.error_code) == (MessageStatus.FAILED, "21610")
    [waiting] = waits(session, ticket)
    assert (waiting.data["message"], waiting.data["code"]) == (result.id, "21610")
    send_survey(ticket.id)
    configure(fixed_now=NOON + timedelta(minutes=11))
    assert sweep_surveys() == (0, 0)
    assert texts(session, ticket, Purpose.SURVEY) == []
    configure(fixed_now=NOON + timedelta(days=4))
    assert sweep_surveys()[1] == 0  # not closed either: the result never reached them


def test_a_result_the_carrier_could_not_deliver_gets_no_survey(session, resolve, work, texting):
    ticket = resolve()
    text_back(ticket.id)
    work((NOTIFICATIONS,))
    [result] = texts(session, ticket, Purpose.RESULT)
    sending.record_delivery(session, result.provider_id, MessageStatus.UNDELIVERED, "30003")
    send_survey(ticket.id)
    assert texts(session, ticket, Purpose.SURVEY) == []
    assert len(waits(session, ticket)) == 1


def test_a_result_text_still_being_retried_holds_the_survey_back(session, resolve, work, texting):
    texting.plan("ok", "500")  # the official's text goes, the result's first try gets a 500
    ticket = resolve()
    text_back(ticket.id)
    work((NOTIFICATIONS,))
    assert texts(session, ticket, Purpose.RESULT)[0].status == MessageStatus.PENDING  # waiting to retry
    send_survey(ticket.id)
    assert texts(session, ticket, Purpose.SURVEY) == []  # it would arrive before the result
