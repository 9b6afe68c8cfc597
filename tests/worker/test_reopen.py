"""Reopening a disputed result: the clock restarts with a deadline of its own (the workers
wake it), the official is texted, and the next result is texted and surveyed again."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import actions, reopen, survey_answers
from models.deadlines import TicketClock, policy
from models.errors import IllegalTransition
from models.messages import Purpose
from models.reopen import NoReason
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketStatus
from tests.worker.helpers import JOBS_BUT_SENDING, open_at, release, scheduled, tehran, texts
from worker.textback import send_survey, text_back

NINE = tehran(2026, 11, 28, 9, 0)  # a Saturday morning
HOURS = timedelta(hours=1)


@pytest.fixture
def answered(session, work, configure):
    """A complaint routed at NINE, answered at ten, its result texted and surveyed, and the
    citizen's score of 1."""
    configure(fixed_now=NINE)
    ticket = open_at(session, NINE, sector="municipality", province="tehran", county="Tehran")
    work(JOBS_BUT_SENDING)
    session.refresh(ticket)
    actions.resolve(session, ticket, "انجام شد", actor="official:1", at=NINE + HOURS)
    text_back(ticket.id)
    send_survey(ticket.id)
    session.refresh(ticket)
    assert survey_answers.answer(session, ticket, 1)
    session.commit()
    return ticket


def _reopen(session, runtime, ticket, at):
    rules = policy(session, runtime.settings)
    return reopen.reopen(session, ticket, "شهروند می‌گوید کاری انجام نشده", actor="user:sara",
                         rules=rules, now=at)


def test_a_low_score_proposes_reopening_and_reopening_restarts_the_clock(runtime, session, answered,
                                                                          configure, work):
    assert reopen.proposal(session, answered) == 1
    later = NINE + 24 * HOURS
    configure(fixed_now=later)
    _reopen(session, runtime, answered, later)
    ticket = session.get(Ticket, answered.id)
    assert (ticket.status, ticket.reopens, ticket.resolved_at, ticket.result_text) == (
        TicketStatus.REOPENED, 1, None, None)
    assert ticket.due_at == later + 3 * HOURS  # a deadline of its own, from the reopening
    assert reopen.proposal(session, ticket) is None
    [text] = texts(session, ticket, Purpose.REOPENED)
    assert text.body.startswith("بازگشایی (نتیجه پذیرفته نشد)")
    work(JOBS_BUT_SENDING)  # the outbox's wake-clock job asks RQ for the first wake-up
    assert {k: v for k, v in scheduled(runtime).items() if "-r1-" in k} == {
        f"clock-{ticket.id}-0-r1-remind": later + 2 * HOURS}
    release(runtime, later + 3 * HOURS)
    configure(fixed_now=later + 3 * HOURS)
    work(JOBS_BUT_SENDING)
    session.expire_all()
    escalated = session.get(Ticket, ticket.id)
    assert escalated.status == TicketStatus.ESCALATED and escalated.escalation_level == 1
    session.commit()


def test_the_next_result_is_texted_and_surveyed_again_and_its_score_stands(runtime, session, answered,
                                                                           configure):
    _reopen(session, runtime, answered, NINE + 24 * HOURS)
    ticket = session.get(Ticket, answered.id)
    actions.resolve(session, ticket, "این بار کارمند جابجا شد", actor="official:1", at=NINE + 25 * HOURS)
    assert ticket.resolved_at == NINE + 25 * HOURS
    text_back(ticket.id)
    send_survey(ticket.id)
    results = [m.body for m in texts(session, ticket, Purpose.RESULT)]
    assert len(results) == 2 and "این بار کارمند جابجا شد" in results[1]
    assert len(texts(session, ticket, Purpose.SURVEY)) == 2
    ticket = session.get(Ticket, ticket.id)
    assert survey_answers.pending_survey(session, ticket.caller).id == ticket.id
    assert survey_answers.answer(session, ticket, 5)
    session.commit()
    assert survey_answers.pending_survey(session, ticket.caller) is None  # this round is answered
    session.commit()
    answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id))
    assert (answer.score, answer.round) == (5, 1)
    kinds = [(e.kind, e.data.get("score")) for e in session.get(Ticket, ticket.id).events
             if e.kind == "survey_answered"]
    assert kinds == [("survey_answered", 1), ("survey_answered", 5)]  # both stay on the timeline
    session.commit()


def test_only_a_result_can_be_disputed_and_a_reason_is_needed(runtime, session, answered):
    with pytest.raises(NoReason):
        reopen.reopen(session, answered, "  ", actor="user:sara", rules=policy(session, runtime.settings),
                      now=NINE + 24 * HOURS)
    _reopen(session, runtime, answered, NINE + 24 * HOURS)
    with pytest.raises(IllegalTransition):
        _reopen(session, runtime, session.get(Ticket, answered.id), NINE + 25 * HOURS)
    session.rollback()
    clock = session.get(TicketClock, answered.id)
    assert clock.next_at == NINE + 26 * HOURS  # the reminder of the restarted clock
    session.commit()
