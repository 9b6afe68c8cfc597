"""The calls list: supervisors find any call, ticket or not, and replay both its recordings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.view import PROGRESS_LABELS
from ivr.visit import Step
from models.base import utcnow
from models.calls import Call
from models.tickets import Via
from models.users import Playback
from tests.console.conftest import fetch, referred, write_wav


@pytest.fixture
def calls(session, settings):
    """A caller who hung up after recording (no ticket), and a call that became a ticket."""
    now = utcnow()
    for name in ("calls/9.1.wav", "voice/9.1.wav", "calls/9.2.wav", "voice/9.2.wav"):
        write_wav(settings.recordings_dir / name, seconds=1)
    lost = Call(uniqueid="9.1", line="overseas", caller="+447700900123", progress=Step.REVIEW,
                started_at=now - timedelta(minutes=5), duration_s=125, recording_path="calls/9.1.wav",
                voice_path="voice/9.1.wav")
    ticket = referred(session, "MUN-TEH", via=Via.CALL, caller="09121234567", text=None,
                      voice_path="voice/9.2.wav")
    kept = Call(uniqueid="9.2", line="128", caller="+989121234567", progress=Step.SUBMITTED,
                started_at=now - timedelta(minutes=20), duration_s=61, ticket=ticket,
                recording_path="calls/9.2.wav", voice_path="voice/9.2.wav")
    session.add_all([lost, kept])
    session.commit()
    return lost, kept


def rows(html: str) -> list[str]:
    """The uniqueids of the calls a page lists, in order."""
    return re.findall(r'<tr data-call="([^"]+)"', html)


def test_supervisors_find_a_call_that_never_became_a_ticket(client, login, calls):
    lost, kept = calls
    login("sara")
    html = client.get("/console/calls").get_data(as_text=True)
    assert rows(html) == ["9.1", "9.2"]
    assert "بازشنوی پیش از ثبت" in html and "بدون شکایت" in html and "خارج از کشور" in html
    assert "+۴۴۷۷۰۰۹۰۰۱۲۳" in html and "۲:۰۵" in html  # the whole number, 125 seconds
    assert f'src="/console/replay/call/{lost.id}"' in html
    assert f'src="/console/replay/call/{lost.id}/voice"' in html
    assert f'href="/console/tickets/{kept.ticket.code}"' in html


@pytest.mark.parametrize("query, found", [
    ("without=1", ["9.1"]),
    ("q=۰۹۱۲ ۱۲۳ ۴۵۶۷", ["9.2"]),
    ("q=00447700900123", ["9.1"]),
    ("q=9.2", ["9.2"]),
    ("q=hello", []),
])
def test_the_list_filters_by_ticket_number_and_uniqueid(client, login, calls, query, found):
    login("sara")
    assert rows(client.get(f"/console/calls?{query}").get_data(as_text=True)) == found


def test_a_date_range_in_jalali_and_a_bad_date_named(client, login, calls):
    login("sara")
    assert rows(client.get("/console/calls?since=1390/01/01&until=1390/12/29").get_data(as_text=True)) == []
    html = client.get("/console/calls?since=1405/13/40").get_data(as_text=True)
    assert "تاریخ «1405/13/40» درست نیست" in html and rows(html) == ["9.1", "9.2"]


def test_both_recordings_of_a_call_without_a_ticket_play_and_are_audited(client, session, login, calls):
    lost, _kept = calls
    login("sara")
    assert fetch(client, f"/console/replay/call/{lost.id}").status_code == 200
    assert fetch(client, f"/console/replay/call/{lost.id}/voice", "bytes=0-").status_code == 206
    played = [(p.kind, p.target, p.call_id, p.ticket_id) for p in session.scalars(select(Playback).order_by(Playback.id))]
    session.commit()
    assert played == [("call", "calls/9.1.wav", lost.id, None), ("voice", "voice/9.1.wav", lost.id, None)]
    html = client.get("/console/audit").get_data(as_text=True)
    assert "تماس بدون شکایت" in html and 'href="/console/calls?q=9.1"' in html


def test_inspectors_and_admins_get_neither_the_list_nor_a_ticketless_call(client, app, login, calls):
    lost, kept = calls
    login("reza")
    assert client.get("/console/calls").status_code == 403
    assert client.get(f"/console/replay/call/{lost.id}").status_code == 403
    assert client.get(f"/console/replay/call/{lost.id}/voice").status_code == 403
    assert fetch(client, f"/console/replay/call/{kept.id}/voice").status_code == 200  # their ticket's
    admin = app.test_client()
    login("ali", on=admin)
    assert admin.get("/console/calls").status_code == 403
    assert 'href="/console/calls"' not in client.get("/console/tickets").get_data(as_text=True)


def test_a_call_with_no_voice_take_has_no_voice_to_play(client, session, login, calls):
    lost, _kept = calls
    lost.voice_path = None
    session.commit()
    login("sara")
    assert client.get(f"/console/replay/call/{lost.id}/voice").status_code == 404


def test_every_step_a_caller_can_reach_has_a_persian_name():
    assert set(PROGRESS_LABELS) == {step.value for step in Step}
