"""Attachments and recordings under attack: a script dressed as a photo, a file opened on its
own from the console's origin, a whole recording fetched without an audit entry."""

from __future__ import annotations

import stat
import struct
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models.base import utcnow
from models.calls import Call
from models.media import Media, MediaStatus
from models.media_types import KEPT, sniff
from models.tickets import Via
from models.users import Playback
from tests.console.conftest import fetch, referred, write_wav
from worker.queues import ALL


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image (grey pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def ftyp(brand: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO base media file (MP4, 3GP, QuickTime, HEIC …)."""
    body = brand + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08free"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/console/admin/users")</script></svg>'
KEPT_SAMPLES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/png": png(),
    "image/gif": b"GIF89a\x01\x00\x01\x00", "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "image/heic": ftyp(b"heic", b"mif1", b"heic"), "image/heif": ftyp(b"mif1", b"mif1"),
    "image/avif": ftyp(b"avif", b"mif1"), "video/mp4": ftyp(b"isom", b"isom", b"avc1"),
    "video/quicktime": ftyp(b"qt  ", b"qt  "), "video/3gpp": ftyp(b"3gp5", b"3gp5", b"isom"),
    "video/3gpp2": ftyp(b"3g2a", b"3g2a"),
    "video/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm",
}
REFUSED_SAMPLES = {
    "svg": SVG, "svg with xml prolog": b'<?xml version="1.0"?>' + SVG, "html": b"<!doctype html><script>x()</script>",
    "pdf": b"%PDF-1.7\n%\xe2\xe3", "plain text": b"hello", "empty": b"", "matroska": b"\x1a\x45\xdf\xa3\x42\x82\x88matroska",
    "unknown ftyp brand": ftyp(b"zzzz", b"yyyy"), "riff wave": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "zip": b"PK\x03\x04", "jpeg's start cut short": b"\xff\xd8",
}


@pytest.mark.parametrize("kind", sorted(KEPT_SAMPLES))
def test_photos_and_videos_are_known_by_their_first_bytes(kind):
    assert sniff(KEPT_SAMPLES[kind]) == kind and kind in KEPT


@pytest.mark.parametrize("name", sorted(REFUSED_SAMPLES))
def test_anything_else_is_not_kept_whatever_it_is_called(name):
    assert sniff(REFUSED_SAMPLES[name]) is None


def test_a_brand_listed_after_an_unknown_major_one_still_counts():
    assert sniff(ftyp(b"zzzz", b"zzzz", b"mp42")) == "video/mp4"


def mms(twilio, twilio_api, session, work, data: bytes, declared: str) -> Media:
    """An MMS carrying `data` as `declared`, taken in and downloaded by the real jobs."""
    url = twilio_api.add_media(declared, data)
    twilio.deliver(twilio.form("عکس", media=[(url, declared)]))
    session.rollback()
    work(ALL)
    session.rollback()
    return session.scalar(select(Media))


def test_an_svg_with_script_sent_as_a_picture_is_not_kept(twilio, twilio_api, session, work, settings):
    item = mms(twilio, twilio_api, session, work, SVG, "image/svg+xml")
    assert (item.status, item.path, item.verified_type) == (MediaStatus.REJECTED, None, None)
    assert "not a photo or video" in item.reason and not any(settings.media_dir.rglob("*.*"))


def test_html_declared_as_jpeg_is_not_kept(twilio, twilio_api, session, work):
    item = mms(twilio, twilio_api, session, work, b"<html><script>x()</script>", "image/jpeg")
    assert item.status == MediaStatus.REJECTED


def test_a_photo_is_kept_as_what_it_is_not_what_it_was_called(twilio, twilio_api, session, work, settings,
                                                             client, login):
    item = mms(twilio, twilio_api, session, work, png(), "image/svg+xml")
    assert (item.status, item.verified_type, item.content_type) == (MediaStatus.STORED, "image/png", "image/svg+xml")
    stored = settings.media_dir / item.path
    assert item.path.endswith(".png") and stat.S_IMODE(stored.stat().st_mode) == 0o640
    login("sara")
    served = fetch(client, f"/console/replay/media/{item.id}")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == png()
    assert_sandboxed(served)


def assert_sandboxed(response) -> None:
    """A stored file opened on its own runs nothing and is never sniffed into something else."""
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_an_attachment_stored_before_types_were_verified_is_served_only_if_it_proves_one(
        client, session, login, settings):
    ticket = referred(session, "MUN-TEH")
    for name, data in (("old.svg", SVG), ("old.jpg", KEPT_SAMPLES["image/jpeg"])):
        (settings.media_dir / ticket.code).mkdir(parents=True, exist_ok=True)
        (settings.media_dir / ticket.code / name).write_bytes(data)
        session.add(Media(ticket=ticket, url=f"https://api.twilio.com/{name}", content_type="image/svg+xml",
                          status=MediaStatus.STORED, path=f"{ticket.code}/{name}", size=len(data)))
    session.commit()
    svg, jpeg = session.scalars(select(Media).order_by(Media.id)).all()
    session.commit()
    login("sara")
    assert fetch(client, f"/console/replay/media/{svg.id}").status_code == 404
    old_photo = fetch(client, f"/console/replay/media/{jpeg.id}")
    assert old_photo.status_code == 200 and old_photo.mimetype == "image/jpeg"


@pytest.fixture
def recording(session, settings):
    """A call ticket with a whole-call recording (a real WAV file)."""
    ticket = referred(session, "MUN-TEH", via=Via.CALL, text=None, voice_path="voice/7.7.wav")
    data = write_wav(settings.recordings_dir / "calls/7.7.wav", seconds=1).read_bytes()
    call = Call(uniqueid="7.7", line="128", ticket=ticket, recording_path="calls/7.7.wav")
    session.add(call)
    session.commit()
    return call, data


def test_a_recording_is_served_as_audio_sandboxed(client, login, recording):
    call, _data = recording
    login("reza")
    served = fetch(client, f"/console/replay/call/{call.id}")
    assert served.status_code == 200 and served.mimetype.startswith("audio/")
    assert_sandboxed(served)


def test_a_whole_recording_asked_as_a_suffix_range_is_a_playback_of_its_own(client, session, login, recording):
    call, data = recording
    login("reza")
    assert fetch(client, f"/console/replay/call/{call.id}").status_code == 200
    session.execute(update(Playback).values(at=utcnow() - timedelta(minutes=5)))  # played a while ago
    session.commit()
    # "The last N bytes" for N the file's size is all of it: no seek inside that playback.
    answer = fetch(client, f"/console/replay/call/{call.id}", f"bytes=-{len(data)}")
    assert answer.status_code == 206 and answer.data == data
    played = session.scalars(select(Playback)).all()
    session.commit()
    assert [(p.kind, p.target) for p in played] == [("call", "calls/7.7.wav")] * 2
