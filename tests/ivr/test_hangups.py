"""Hanging up at any point loses nothing; the hangup handler closes every call's record."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from foad.settings import Settings
from ivr.peer.channel import Channel
from ivr.peer.dial import over_tcp
from ivr.peer.script import Caller
from ivr.peer.setup import Setup
from ivr.visit import Step
from models.calls import Call
from models.messages import Message
from models.tickets import Ticket
from tests.ivr.test_intake_calls import call_row

WHOLE_CALL = "1 3 2 21 #@6 2 1"
"""A mobile caller: menu, sector, category, province, recording, listening, submitting."""
ORDER = list(Step)


def test_hanging_up_at_every_step_loses_nothing(dial, session, settings: Settings):
    commands = [c for c, _ in dial("09120000000", WHOLE_CALL).intake.exchanges]
    recorded_at = next(n for n, c in enumerate(commands, start=1) if c.startswith("RECORD FILE"))
    reached = []
    for n in range(1, len(commands) + 1):
        session.rollback()  # SQLite: a reading test session must not hold the write lock
        placed = dial(f"0912100{n:04d}", WHOLE_CALL, hangup_at=n)
        row = call_row(session, placed)
        assert row.ended_at is not None and row.hangup_cause == "16", n  # the hangup handler ran
        reached.append(ORDER.index(Step(row.progress)))
        if n < recorded_at:
            assert (row.ticket, row.voice_path) == (None, None), n
            continue
        assert row.ticket is not None and row.ticket.voice_path == row.voice_path, n
        assert (settings.recordings_dir / row.voice_path).is_file(), n
        assert row.ticket.sector_code == "health_insurance" and row.ticket.province_code == "tehran", n
    assert reached == sorted(reached)  # later hang-ups got further, never less far
    assert (ORDER[reached[0]], ORDER[reached[-1]]) == (Step.ANSWERED, Step.SUBMITTED)
    assert session.scalar(select(Ticket).where(Ticket.caller == "+989120000000")) is not None


def test_hanging_up_while_recording_opens_the_ticket_with_what_was_said(dial, session, settings):
    placed = dial("09121234567", "1 3 2 21 h@7")

    row = call_row(session, placed)
    assert (row.progress, row.ticket.voice_path) == ("recording", f"voice/{placed.uniqueid}-1.wav")
    assert placed.digits_said == []  # nobody left to read the code to: it goes by SMS
    assert session.scalars(select(Message.purpose).where(Message.ticket_id == row.ticket.id)).all() == ["tracking_code"]


def test_hanging_up_at_the_beep_leaves_no_ticket(dial, session):
    placed = dial("09121234567", "1 3 2 21 h@0.3")

    row = call_row(session, placed)
    assert (row.progress, row.ticket, row.voice_path) == ("recording", None, None)


def test_the_hangup_handler_records_a_call_the_engine_never_heard_of(fastagi, session, settings: Settings):
    setup = Setup(script="hangup?line=overseas", uniqueid="1795440000.77", caller_id="+447700900123",
                  context="foad-hangup", priority=1)
    mixed = settings.recordings_dir / "calls" / "1795440000.77.wav"
    channel = Channel(setup, Caller([]), dead=True,
                      variables={"HANGUPCAUSE": "17", "MIXMONITOR_FILENAME": str(mixed)}, elapsed=3.4)
    over_tcp(channel, "127.0.0.1", fastagi.port)

    row = session.scalars(select(Call).where(Call.uniqueid == "1795440000.77")).one()
    assert (row.line, row.caller, row.progress) == ("overseas", "+447700900123", "answered")
    assert (row.hangup_cause, row.duration_s, row.recording_path) == ("17", 3, "calls/1795440000.77.wav")


def test_the_hangup_handler_attaches_only_a_recording_named_after_the_call(fastagi, session):
    setup = Setup(script="hangup?line=128", uniqueid="1795440000.78", context="foad-hangup")
    channel = Channel(setup, Caller([]), dead=True,
                      variables={"MIXMONITOR_FILENAME": "/var/spool/asterisk/monitor/other-call.wav"})
    over_tcp(channel, "127.0.0.1", fastagi.port)

    row = session.scalars(select(Call).where(Call.uniqueid == "1795440000.78")).one()
    assert row.recording_path is None and row.hangup_cause is None


def test_an_unknown_route_is_refused_without_a_call_record(fastagi, session, caplog):
    channel = Channel(Setup(script="nosuch?line=128", uniqueid="1795440000.79"), Caller([]))
    over_tcp(channel, "127.0.0.1", fastagi.port)

    assert channel.commands == 0
    assert session.scalars(select(Call)).all() == []
    assert "no such AGI route" in caplog.text
