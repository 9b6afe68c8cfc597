"""Hanging up at any point loses nothing; the hangup handler closes every call's record."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.peer.channel import Channel
from ivr.peer.dial import connected, hangup_handler, incoming, over_tcp
from ivr.peer.script import Caller
from ivr.peer.setup import Setup
from models.base import utcnow
from models.blocklist import block
from models.calls import Call
from models.messages import Message
from models.settings import Settings
from models.tickets import Ticket
from tests.builders import make_ticket
from tests.ivr.midcall import kill_after_the_take, prompting, row_of, wait_until
from tests.ivr.test_intake_calls import call_row
from worker.calls import STALE_AFTER, sweep_calls

SCENARIOS = {
    # name: (caller id with {n} for a number of its own per run, keys, number dialled,
    #        the progress expected after a hang-up at each command in turn)
    "128 mobile complaint": ("0912100{n:04d}", "1 3 2 21 #@6 2 1", "128",
                             "answered menu sector category province recording*2 review*2 submitted*9"),
    "overseas, in English": ("+4477009{n:05d}", "2 1 2 5 # 1", "+989372840000",
                             "language*3 menu sector category recording*2 review submitted*9"),
    "follow-up": ("0214455{n:04d}", "2 {code}#", "128", "answered menu follow_up*5 followed_up*2"),
    "blocked number": ("09121234567", "1 3 2 # 1", "128", "blocked*2"),
}
"""Each run hangs up at the next command of the same call: how far each got, step by step."""


def expand(spec: str) -> list[str]:
    """"menu review*2" → ["menu", "review", "review"]."""
    return [step for word in spec.split() for step in [word.partition("*")[0]] * int(word.partition("*")[2] or 1)]


@pytest.mark.parametrize("name", SCENARIOS)
def test_hanging_up_at_every_step_loses_nothing(name, dial, session, settings: Settings):
    number, keys, to, spec = SCENARIOS[name]
    keys = keys.format(code=make_ticket(session).code)
    block(session, "+989121234567", reason="nuisance")
    session.commit()
    commands = dial(number.format(n=0), keys, to=to).intake.sent
    recorded_at = next((n for n, c in enumerate(commands, start=1) if c.startswith("RECORD FILE")), None)
    reached = []
    for n in range(1, len(commands) + 1):
        session.rollback()  # SQLite: a reading test session must not hold the write lock
        row = call_row(session, dial(number.format(n=n), keys, to=to, hangup_at=n))
        assert row.ended_at is not None and row.hangup_cause == "16", n  # the hangup handler ran
        reached.append(row.progress)
        if recorded_at is None or n < recorded_at:
            assert (row.ticket, row.voice_path) == (None, None), n
            continue
        assert row.ticket is not None and row.ticket.voice_path == row.voice_path, n
        assert (settings.recordings_dir / row.voice_path).is_file(), n
    assert list(zip(commands, reached)) == list(zip(commands, expand(spec)))
    assert len(reached) == len(expand(spec))


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


@pytest.mark.parametrize("blocked", [False, True], ids=["a number", "a blocked number"])
def test_a_call_whose_hangup_report_came_first_takes_that_row(blocked, fastagi, dial, session):
    """The intake route inserts its row first; when the hangup handler's row is there
    already, the call carries on with that one, and a blocked number is still refused."""
    if blocked:
        block(session, "+989121234567", reason="nuisance")
        session.commit()
    setup = Setup(script="hangup?line=128", uniqueid="1795440000.80", caller_id="09121234567",
                  context="foad-hangup")
    over_tcp(Channel(setup, Caller([]), dead=True), "127.0.0.1", fastagi.port)

    placed = dial("09121234567", "1 3 2 21 # 1", uniqueid="1795440000.80")

    row = call_row(session, placed)
    assert session.scalars(select(Call)).all() == [row]
    if blocked:
        assert placed.intake.heard == ["foad/blocked_notice"]
        assert (row.progress, row.ticket) == ("blocked", None)
    else:
        assert row.progress == "submitted" and placed.digits_said == [row.ticket.code] * 2


def test_an_unknown_route_is_refused_without_a_call_record(fastagi, session, caplog):
    channel = Channel(Setup(script="nosuch?line=128", uniqueid="1795440000.79"), Caller([]))
    over_tcp(channel, "127.0.0.1", fastagi.port)

    assert channel.commands == 0
    assert session.scalars(select(Call)).all() == []
    assert "no such AGI route" in caplog.text


def tickets_of(session, caller: str) -> list[Ticket]:
    session.rollback()
    return session.scalars(select(Ticket).where(Ticket.caller == caller)).unique().all()


def has_ticket(session, caller: str) -> bool:
    found = bool(tickets_of(session, caller))
    session.rollback()
    return found


def test_an_engine_killed_after_the_take_loses_nothing(engine_process, fastagi, session, settings):
    engine, port = engine_process()
    channel = incoming("127.0.0.1", port, caller_id="02188776655", to="128", keys="1 3 2 #",
                       recordings_dir=settings.recordings_dir, uniqueid="1795470000.1")
    kill_after_the_take(engine, port, channel, session)  # SIGKILL: no finally, no save_on_hangup

    assert not has_ticket(session, "+982188776655")
    handler = hangup_handler(channel)  # the dialplan's hangup handler, against a live engine
    over_tcp(handler, "127.0.0.1", fastagi.port)
    over_tcp(hangup_handler(channel), "127.0.0.1", fastagi.port)  # run again: nothing more

    (ticket,) = tickets_of(session, "+982188776655")
    row = row_of(session, "1795470000.1")
    assert row.ticket is ticket and ticket.voice_path == row.voice_path == "voice/1795470000.1-1.wav"
    assert (ticket.sector_code, ticket.category_code, ticket.province_code) == ("health_insurance", "absence",
                                                                                "tehran")
    assert [e.kind for e in ticket.events] == ["registered", "call_ended"]
    assert (row.progress, row.hangup_cause) == ("recording", "16")


def test_a_connection_dropped_after_the_take_opens_one_ticket(fastagi, session, settings):
    channel = incoming("127.0.0.1", fastagi.port, caller_id="09121234567", to="128", keys="1 3 2 81 #",
                       recordings_dir=settings.recordings_dir, uniqueid="1795470000.2")
    with connected(channel, "127.0.0.1", fastagi.port) as driver:
        assert driver.run(until=prompting("review_menu"))
    # The engine saw the connection drop and opened the ticket itself; the handler adds none.
    wait_until(lambda: has_ticket(session, "+989121234567"))
    over_tcp(hangup_handler(channel), "127.0.0.1", fastagi.port)
    over_tcp(hangup_handler(channel), "127.0.0.1", fastagi.port)

    (ticket,) = tickets_of(session, "+989121234567")
    assert ticket.province_code == "hamadan"
    assert [e.kind for e in ticket.events] == ["registered", "call_ended"]


def test_the_hangup_handler_keeps_intakes_rules(engine_process, fastagi, session, settings, runtime):
    runtime.settings = replace(runtime.settings, max_complaints_per_hour=1)
    first = incoming("127.0.0.1", fastagi.port, caller_id="02188776655", to="128", keys="1 3 2 # 1",
                     recordings_dir=settings.recordings_dir)
    over_tcp(first, "127.0.0.1", fastagi.port)
    engine, port = engine_process()
    second = incoming("127.0.0.1", port, caller_id="02188776655", to="128", keys="1 3 2 #",
                      recordings_dir=settings.recordings_dir, uniqueid="1795470000.3")
    kill_after_the_take(engine, port, second, session)
    over_tcp(hangup_handler(second), "127.0.0.1", fastagi.port)

    assert len(tickets_of(session, "+982188776655")) == 1  # over the hourly limit: no second ticket
    row = row_of(session, "1795470000.3")
    assert row.ticket is None and row.ended_at is not None  # the take stays on the call


def test_a_take_whose_hangup_report_never_came_becomes_a_ticket_by_the_call_sweep(
        engine_process, session, settings, runtime):
    engine, port = engine_process()
    channel = incoming("127.0.0.1", port, caller_id="02188776655", to="128", keys="1 3 2 #",
                       recordings_dir=settings.recordings_dir, uniqueid="1795470000.4")
    kill_after_the_take(engine, port, channel, session)  # and Asterisk's hangup report is lost
    mixed = settings.recordings_dir / "calls" / "1795470000.4.wav"
    mixed.parent.mkdir(parents=True, exist_ok=True)
    mixed.write_bytes(b"RIFF")  # MixMonitor's file, named after the call
    started = row_of(session, "1795470000.4").started_at
    session.rollback()

    runtime.settings = replace(runtime.settings, fixed_now=started + STALE_AFTER - timedelta(minutes=1))
    assert sweep_calls() == 0  # it may still be going on
    runtime.settings = replace(runtime.settings, fixed_now=started + STALE_AFTER + timedelta(minutes=1))
    assert sweep_calls() == 1
    assert sweep_calls() == 0  # closed once

    (ticket,) = tickets_of(session, "+982188776655")
    row = row_of(session, "1795470000.4")
    assert row.ticket is ticket and ticket.voice_path == row.voice_path
    assert (row.ended_at, row.recording_path) == (started + STALE_AFTER + timedelta(minutes=1),
                                                  "calls/1795470000.4.wav")
    assert [e.kind for e in ticket.events] == ["registered", "call_ended"]


def test_the_call_sweep_leaves_reported_calls_alone_and_keeps_intakes_refusals(session, runtime, settings):
    long_ago = utcnow() - STALE_AFTER - timedelta(hours=1)
    block(session, "+989121112233", reason="nuisance calls", by="user:test")
    session.add_all([
        Call(uniqueid="1795470000.5", line="128", caller="+989121112233", started_at=long_ago,
             voice_path="voice/1795470000.5-1.wav", progress="recording"),
        Call(uniqueid="1795470000.6", line="128", caller="+989124445566", started_at=long_ago,
             ended_at=long_ago + timedelta(minutes=2), voice_path="voice/1795470000.6-1.wav",
             progress="recording"),
        Call(uniqueid="1795470000.7", line="128", caller="+989127778899", started_at=long_ago,
             progress="menu"),
    ])
    session.commit()
    runtime.settings = replace(runtime.settings, fixed_now=utcnow())

    assert sweep_calls() == 2  # the blocked caller's and the one without a take; the reported one stays
    assert sweep_calls() == 0
    assert tickets_of(session, "+989121112233") == []  # blocked: the take stays on the call
    assert tickets_of(session, "+989124445566") == []  # its end was reported: the handler decided
    blocked, reported, no_take = (row_of(session, u) for u in ("1795470000.5", "1795470000.6", "1795470000.7"))
    assert blocked.ended_at is not None and blocked.ticket is None and blocked.voice_path is not None
    assert reported.ended_at == long_ago + timedelta(minutes=2)
    assert no_take.ended_at is not None and no_take.ticket is None
