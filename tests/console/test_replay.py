"""Call replay: Range answers, who may listen, the audit log of each playback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from models.base import utcnow

from models.calls import Call
from models.media import Media, MediaStatus
from models.tickets import Via
from models.users import Playback
from tests.console.conftest import fetch, referred, write_wav


@pytest.fixture
def recorded(session, settings):
    """A call ticket with a whole-call recording and a voice complaint, both real WAV files."""
    ticket = referred(session, "MUN-TEH", via=Via.CALL, text=None, voice_path="voice/1.1.wav")
    whole = write_wav(settings.recordings_dir / "calls/1.1.wav", seconds=2)
    write_wav(settings.recordings_dir / "voice/1.1.wav", seconds=1)
    call = Call(uniqueid="1.1", line="128", ticket=ticket, recording_path="calls/1.1.wav")
    session.add(call)
    session.commit()
    return ticket, call, whole.read_bytes()


def playbacks(session) -> list[tuple[str, str, str]]:
    rows = [(p.user.name, p.kind, p.target) for p in session.scalars(select(Playback).order_by(Playback.id))]
    session.commit()
    return rows


def test_a_range_request_gets_206_and_exactly_those_bytes(client, login, recorded):
    _ticket, call, data = recorded
    login("reza")
    response = fetch(client, f"/console/replay/call/{call.id}", "bytes=1000-1999")
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert response.data == data[1000:2000]
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "no-store" in response.headers["Cache-Control"]


def test_the_whole_file_and_an_open_range_from_zero(client, login, recorded):
    _ticket, call, data = recorded
    login("reza")
    whole = fetch(client, f"/console/replay/call/{call.id}")
    assert whole.status_code == 200 and whole.data == data and whole.mimetype.startswith("audio/")
    start = fetch(client, f"/console/replay/call/{call.id}", "bytes=0-")
    assert start.status_code == 206 and start.data == data


def test_each_playback_is_audited_once_and_seeks_are_not_playbacks(client, session, login, recorded):
    ticket, call, _data = recorded
    login("reza")
    for spec in ("bytes=0-", "bytes=0-", "bytes=20000-", "bytes=5000-6000"):
        fetch(client, f"/console/replay/call/{call.id}", spec)
    fetch(client, f"/console/replay/voice/{ticket.code}")
    assert playbacks(session) == [("reza", "call", "calls/1.1.wav"), ("reza", "voice", "voice/1.1.wav")]


@pytest.mark.parametrize("headers, status", [
    ({}, 200),
    ({"Range": "Bytes=0-"}, 206),  # the unit's case does not matter to werkzeug
    ({"Range": " bytes = 0 - 99"}, 206),
    ({"Range": "bytes=1-"}, 206),  # all but the first byte: no playback to be a seek of
    ({"Range": "bytes=-500"}, 206),  # the last bytes
    ({"Range": "bytes=5-", "If-Range": '"not-this-file"'}, 200),  # overruled: the whole file
])
def test_every_answer_that_carries_the_recording_is_audited(client, session, login, recorded, headers, status):
    _ticket, call, data = recorded
    login("reza")
    response = client.get(f"/console/replay/call/{call.id}", headers=headers)
    body = response.get_data()
    response.close()
    assert response.status_code == status and body and body in data
    assert playbacks(session) == [("reza", "call", "calls/1.1.wav")]


@pytest.mark.parametrize("spec", ["foo", "bytes=0-10,20-30", "bytes=99999999-"])
def test_a_range_werkzeug_refuses_sends_nothing_and_is_not_a_playback(client, session, login, recorded, spec):
    _ticket, call, data = recorded
    login("reza")
    response = fetch(client, f"/console/replay/call/{call.id}", spec)
    assert response.status_code == 416 and data[:44] not in response.data
    assert playbacks(session) == []


def test_a_start_after_30_seconds_and_a_seek_after_an_hour_are_new_playbacks(
        client, session, login, person, recorded):
    _ticket, call, _data = recorded
    login("reza")

    def earlier(ago: timedelta) -> None:
        session.add(Playback(user_id=person("reza").id, ticket_id=call.ticket_id, call_id=call.id,
                             kind="call", target="calls/1.1.wav", at=utcnow() - ago))
        session.commit()

    earlier(timedelta(seconds=40))
    fetch(client, f"/console/replay/call/{call.id}", "bytes=0-")
    assert len(playbacks(session)) == 2  # 40 s later: played again
    fetch(client, f"/console/replay/call/{call.id}", "bytes=0-")
    fetch(client, f"/console/replay/call/{call.id}", "bytes=20000-")
    assert len(playbacks(session)) == 2  # the same play, and a seek inside it
    session.execute(delete(Playback))
    session.commit()
    earlier(timedelta(hours=2))
    fetch(client, f"/console/replay/call/{call.id}", "bytes=20000-")
    assert len(playbacks(session)) == 2  # a seek with no playback in the last hour is one


def test_the_audit_log_shows_who_played_what_to_supervisors(client, session, login, recorded, app):
    ticket, call, _data = recorded
    login("reza")
    fetch(client, f"/console/replay/call/{call.id}")
    supervisor = app.test_client()
    login("sara", on=supervisor)
    html = supervisor.get("/console/audit").get_data(as_text=True)
    assert "reza" in html and "calls/1.1.wav" in html and "ضبط تماس" in html
    assert ticket.code in supervisor.get(f"/console/audit?ticket={ticket.code}").get_data(as_text=True)


def test_a_missing_file_is_404_and_not_audited(client, session, settings, login, recorded):
    _ticket, call, _data = recorded
    (settings.recordings_dir / "calls/1.1.wav").unlink()
    login("sara")
    assert client.get(f"/console/replay/call/{call.id}").status_code == 404
    assert playbacks(session) == []


def test_a_path_that_climbs_out_of_the_recordings_folder_is_refused(client, session, settings, login):
    ticket = referred(session, "MUN-TEH", voice_path="../secret_key", text=None)
    settings.recordings_dir.mkdir(parents=True)
    (settings.data_dir / "secret_key").write_text("s3cret")
    login("sara")
    response = client.get(f"/console/replay/voice/{ticket.code}")
    assert response.status_code == 404 and b"s3cret" not in response.data


def test_no_rule_of_the_app_serves_the_recordings_or_media_folders(app, settings):
    """Static rules serve their folder to anyone: none may hold (or sit inside) the data."""
    static = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.endswith("static")}
    assert "console_assets.static" in static  # the console's own CSS and script
    folders = {"static": app.static_folder} | {
        f"{name}.static": bp.static_folder for name, bp in app.blueprints.items()}
    for endpoint in static:
        served = Path(folders[endpoint]).resolve()
        for private in (settings.data_dir, settings.recordings_dir, settings.media_dir):
            private = private.resolve()
            assert not private.is_relative_to(served) and not served.is_relative_to(private), endpoint
    # What does reach the files: the replay views, each of which checks who asks.
    assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("replay.")} == {
        "replay.call", "replay.call_voice", "replay.voice", "replay.media"}


def test_logged_out_users_get_nothing(client, recorded):
    _ticket, call, _data = recorded
    response = client.get(f"/console/replay/call/{call.id}", headers={"Range": "bytes=0-"})
    assert response.status_code == 302


def test_mms_photos_are_served_with_their_type_and_audited(client, session, settings, login):
    ticket = referred(session, "MUN-TEH")
    (settings.media_dir / "t").mkdir(parents=True)
    (settings.media_dir / "t/photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not much of a jpeg")
    media = Media(ticket=ticket, url="https://api.twilio.com/x", content_type="image/jpeg",
                  status=MediaStatus.STORED, path="t/photo.jpg", size=24)
    pending = Media(ticket=ticket, url="https://api.twilio.com/y", content_type="image/png")
    session.add_all([media, pending])
    session.commit()
    login("reza")
    response = fetch(client, f"/console/replay/media/{media.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert client.get(f"/console/replay/media/{pending.id}").status_code == 404
    assert f"/console/replay/media/{media.id}" in client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    assert playbacks(session) == [("reza", "media", "t/photo.jpg")]


def test_the_ticket_page_has_players_for_both_recordings(client, login, recorded):
    ticket, call, _data = recorded
    login("reza")
    html = client.get(f"/console/tickets/{ticket.code}").get_data(as_text=True)
    for src in (f"/console/replay/voice/{ticket.code}", f"/console/replay/call/{call.id}"):
        assert f'src="{src}"' in html
        played = fetch(client, src)
        assert played.status_code == 200 and played.data.startswith(b"RIFF")
