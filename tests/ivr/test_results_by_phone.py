"""A landline complainant calls back and hears the result, rates it once; others hear status only."""

from __future__ import annotations

import wave
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from models import actions
from models.calls import Call
from models.events import Event
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.ivr.test_intake_calls import call_row, heard

RESULT = "کارمند خاطی تذکر کتبی گرفت و پرونده شما انجام شد."


@dataclass(frozen=True)
class Resolved:
    """A resolved ticket by id and code (no ORM object: reading it would lock SQLite)."""

    id: int
    code: str


@pytest.fixture
def resolved(dial, session, work):
    """A complaint by phone, routed and resolved through the real jobs: `resolved("0218…")`.
    (On SQLite the test's session must hold no transaction while the engine or a job writes.)"""

    def _resolved(caller: str) -> Resolved:
        ticket_id = call_row(session, dial(caller, "1 3 2 21 # 1")).ticket.id
        session.rollback()
        work()  # routing: referred to the official
        ticket = session.get(Ticket, ticket_id)
        actions.resolve(session, ticket, RESULT, actor=f"official:{ticket.official_id}")
        work()  # text-back: a landline's result waits for its call
        return Resolved(ticket.id, ticket.code)

    return _resolved


def read(session, query):
    """Every row of `query`, the read's transaction closed at once."""
    session.rollback()
    rows = session.scalars(query).all()
    session.rollback()
    return rows


def kinds(session, ticket: Resolved) -> list[str]:
    return read(session, select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))


def result_files(placed, settings) -> list:
    return [f for f in placed.intake.files if f.parent == settings.sounds_dir / "results"]


def test_a_landline_complainant_hears_the_result_and_rates_it_once(dial, session, settings, resolved):
    ticket = resolved("02188776655")
    assert Event.RESULT_WAITS in kinds(session, ticket)

    placed = dial("02188776655", f"2 {ticket.code}# 4")

    assert heard(placed)[-5:] == ["result_intro", str(settings.sounds_dir / "results" / f"{ticket.code}-fa"),
                                  "survey_ask", "survey_thanks", "goodbye"]
    (played,) = result_files(placed, settings)
    assert played == settings.sounds_dir / "results" / f"{ticket.code}-fa.wav"
    with wave.open(str(played)) as sound:
        assert (sound.getframerate(), sound.getnchannels(), sound.getsampwidth()) == (8000, 1, 2)
        assert sound.getnframes() > 8000  # more than a second of speech
    assert read(session, select(SurveyAnswer.score).where(SurveyAnswer.ticket_id == ticket.id)) == [4]
    assert kinds(session, ticket).count("result_told") == 1
    assert read(session, select(Ticket.status).where(Ticket.id == ticket.id)) == [TicketStatus.CLOSED]

    again = dial("02188776655", f"2 {ticket.code}#")
    assert result_files(again, settings) == [played]  # the same file, not rendered again
    assert "survey_ask" not in heard(again) and heard(again)[-1] == "goodbye"
    assert kinds(session, ticket).count("result_told") == 1
    assert read(session, select(Call.progress).where(Call.uniqueid == again.uniqueid)) == ["followed_up"]


def test_someone_else_with_the_code_hears_the_status_only(dial, session, settings, resolved):
    ticket = resolved("02188776655")

    placed = dial("02144556677", f"2 {ticket.code}#")

    assert "status_resolved" in heard(placed) and "result_intro" not in heard(placed)
    assert result_files(placed, settings) == [] and not (settings.sounds_dir / "results" / f"{ticket.code}-fa.wav").exists()
    assert "result_told" not in kinds(session, ticket)


def test_a_withheld_caller_cannot_prove_the_ticket_is_theirs(dial, session, settings, resolved):
    ticket = resolved("unknown")

    placed = dial(None, f"2 {ticket.code}#")

    assert "result_intro" not in heard(placed) and result_files(placed, settings) == []


def test_a_texted_result_is_read_again_on_a_call_without_a_second_survey(dial, session, settings, resolved):
    ticket = resolved("09121234567")
    assert Event.RESULT_TEXTED in kinds(session, ticket)

    placed = dial("09121234567", f"2 {ticket.code}#")

    assert "result_intro" in heard(placed) and "survey_ask" not in heard(placed)
    assert len(result_files(placed, settings)) == 1
    assert "result_told" not in kinds(session, ticket)  # the SMS told it; the SMS survey rates it


def test_without_espeak_the_caller_is_told_the_result_cannot_be_read(dial, session, settings, resolved,
                                                                     monkeypatch, tmp_path, caplog):
    ticket = resolved("02188776655")
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng, no sox

    placed = dial("02188776655", f"2 {ticket.code}# 4")

    assert heard(placed)[-2:] == ["result_unreadable", "goodbye"]
    assert "result_told" not in kinds(session, ticket)
    assert read(session, select(SurveyAnswer).where(SurveyAnswer.ticket_id == ticket.id)) == []
    failed = [r for r in caplog.records if r.getMessage().startswith("the result cannot be read by phone")]
    assert [(r.ticket, r.missing) for r in failed] == [(ticket.code, "espeak-ng sox")]
