"""The citizen page on the real app, texting through the local Twilio-compatible server."""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import replace
from io import BytesIO

import pytest

from models.persian import latin_digits
from tests.clients import ending_transactions
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)

MOBILE = "09121234567"
E164 = "+989121234567"


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811
    """Twilio sending through the local server; photos up to 200 kB."""
    return replace(settings, twilio=twilio_api.settings(timeout=0.5), media_max_bytes=200_000)


@pytest.fixture
def client(app, session):
    """The test client; the test's own transaction ends before each request."""
    return ending_transactions(app, session)


def token_of(page) -> str:
    """The form token in a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]


def png(size: int = 0) -> bytes:
    """A real 1x1 PNG, padded with a comment chunk to about `size` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pad = chunk(b"tEXt", b"c\x00" + b"x" * max(size - 80, 0)) if size else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + pad
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 64
SVG = b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def upload(data: bytes, name: str) -> tuple[BytesIO, str]:
    return BytesIO(data), name


@pytest.fixture
def texts(work, twilio_api, session):  # noqa: F811
    """Run the send jobs; the bodies the local Twilio server took for a number."""

    def _texts(to: str = E164) -> list[str]:
        session.rollback()  # on SQLite the jobs need the write lock
        work()  # as a worker does: the code text rides with the routing job
        return [m.body for m in twilio_api.messages if m.to == to]

    return _texts


def code_in(text: str) -> str:
    """The six-digit code in a confirmation text (Persian digits read as Latin)."""
    return re.search(r"\d{6}", latin_digits(text))[0]


@pytest.fixture
def file_complaint(client):
    """Fill in and send the complaint form from `address`; the answer (a redirect to the
    code's page, or the form again)."""

    def _file(files: list[tuple[BytesIO, str]] | None = None, address: str = "203.0.113.9", **fields: str):
        form = {"service": "municipality", "category": "delay", "province": "tehran",
                "text": "سه ساعت در صف ماندم و کارمند نیامد.", "mobile": MOBILE, **fields}
        form["csrf_token"] = token_of(client.get("/"))
        return client.post("/complaint", data={**form, "files": files or []}, content_type="multipart/form-data",
                           environ_base={"REMOTE_ADDR": address})

    return _file


@pytest.fixture
def confirm(client):
    """Type `code` on the code's page `location`."""

    def _confirm(location: str, code: str):
        return client.post(location, data={"code": code, "csrf_token": token_of(client.get(location))})

    return _confirm
