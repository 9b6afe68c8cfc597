"""A submitted call: its take written on its row and its ticket opened once, whoever came first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.call_takes import end_call, submit
from models.calls import Call
from models.errors import Blocked
from models.blocklist import BlockedNumber
from models.tickets import Ticket, TicketStatus, Via

TAKE = {"voice_path": "2026/12/02/1795440000.31.wav", "sector_code": "banks", "category_code": None,
        "province_code": "tehran", "language": "en"}


def a_call(session, caller: str = "+989121112233") -> Call:
    call = Call(uniqueid="1795440000.31", line="128", caller=caller)
    session.add(call)
    session.commit()
    return call


def test_submitting_opens_the_ticket_and_writes_the_take_on_the_row(session, settings):
    call = a_call(session)
    opened = submit(session, call.id, "submitted", TAKE, settings)
    session.commit()
    ticket = opened.ticket
    assert (ticket.via, ticket.caller, ticket.voice_path, ticket.sector_code, ticket.category_code,
            ticket.province_code, ticket.language, ticket.status) == (
        Via.CALL, "+989121112233", TAKE["voice_path"], "banks", "other", "tehran", "en", TicketStatus.REGISTERED)
    session.expire_all()
    row = session.get(Call, call.id)
    assert (row.ticket_id, row.progress, row.voice_path, row.sector_code, row.province_code, row.language) == (
        ticket.id, "submitted", TAKE["voice_path"], "banks", "tehran", "en")


def test_a_ticket_the_hangup_handler_opened_first_is_the_calls_and_no_second_is_opened(session, settings):
    call = a_call(session)
    first = submit(session, call.id, "recorded", TAKE, settings)  # as the handler would
    session.commit()
    again = submit(session, call.id, "submitted", TAKE, settings)
    session.commit()
    assert again.ticket.id == first.ticket.id and not again.code_texted
    assert session.scalar(select(func.count(Ticket.id))) == 1
    session.expire_all()
    assert session.get(Call, call.id).progress == "submitted"


def test_a_refused_complaint_leaves_the_row_as_it_was(session, settings):
    call = a_call(session, caller="+989127778899")
    session.add(BlockedNumber(number="+989127778899", reason="abuse"))
    session.commit()
    with pytest.raises(Blocked):
        submit(session, call.id, "submitted", TAKE, settings)
    session.rollback()
    row = session.get(Call, call.id)
    assert (row.ticket_id, row.voice_path, row.progress) == (None, None, "answered")
    assert session.scalar(select(func.count(Ticket.id))) == 0


def ended(session, uniqueid: str = "1795440000.31"):
    return end_call(session, uniqueid, at=utcnow(), duration_s=42, cause="16", recording="calls/1795440000.31.wav")


def test_a_ticket_calls_end_is_written_in_one_go_with_its_timeline_entry_once(session, settings):
    call = a_call(session)
    ticket = submit(session, call.id, "submitted", TAKE, settings).ticket
    session.commit()
    assert ended(session) == (True, ticket.code)
    session.commit()
    assert ended(session) == (False, None)  # reported again: not this way, nothing written
    session.commit()
    session.expire_all()
    row = session.get(Call, call.id)
    assert (row.duration_s, row.hangup_cause, row.recording_path) == (42, "16", "calls/1795440000.31.wav")
    assert [e.kind for e in row.ticket.events] == ["registered", "call_ended"]
    assert row.ticket.events[-1].data == {"call": "1795440000.31", "duration_s": 42,
                                          "recording": "calls/1795440000.31.wav"}


def test_a_call_without_a_ticket_ends_in_one_go_too(session):
    call = a_call(session)
    assert ended(session) == (True, None)
    session.commit()
    session.expire_all()
    assert session.get(Call, call.id).ended_at is not None


def test_an_unknown_call_or_a_take_left_behind_is_left_to_close_call(session):
    assert ended(session, "1795440000.99") == (False, None)
    call = a_call(session)
    call.voice_path = TAKE["voice_path"]  # taken, never submitted: close_call opens its ticket
    session.commit()
    assert ended(session) == (False, None)
    session.commit()
    session.expire_all()
    assert session.get(Call, call.id).ended_at is None
