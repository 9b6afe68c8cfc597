"""An app's media_url, fetched by the media job: photos and videos judged by their bytes and
size as they stream in, and never from a private or local address unless a test allows it."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from models.media import Media, MediaStatus, attach
from tests.builders import make_ticket
from tests.citizen.conftest import SVG, png
from worker.media import fetch_media

FILES = {"/photo": ("image/jpeg", png()), "/disguised.jpg": ("image/jpeg", SVG),
         "/big": ("image/png", png(300_000)), "/gone": None}


@contextmanager
def media_server():
    """A plain HTTP server on this machine serving FILES (a redirect at /hop)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/hop":
                self.send_response(302)
                self.send_header("Location", "/photo")
                self.end_headers()
                return
            found = FILES.get(self.path)
            if found is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", found[0])  # what a server says is not believed
            self.end_headers()
            self.wfile.write(found[1])

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetched(session, runtime, url: str) -> Media:
    ticket = make_ticket(session)
    [item] = attach(session, ticket, [(url, "application/octet-stream")])
    session.commit()
    item_id = item.id
    session.rollback()
    fetch_media(item_id)
    return session.scalars(select(Media).where(Media.id == item_id).execution_options(populate_existing=True)).one()


@pytest.fixture
def local(configure):
    """The test's own server on loopback is allowed; photos up to 200 kB."""
    configure(media_allow_loopback=True, media_max_bytes=200_000)


def test_a_photo_is_stored_under_its_real_type(runtime, session, local):
    with media_server() as base:
        item = fetched(session, runtime, f"{base}/hop")
    assert item.status == MediaStatus.STORED and item.verified_type == "image/png" and item.path.endswith(".png")
    assert (Path(runtime.settings.media_dir) / item.path).read_bytes() == png()


@pytest.mark.parametrize("path, reason", [("/disguised.jpg", "not a photo or video"), ("/big", "larger than")])
def test_what_is_not_a_photo_or_is_too_large_is_rejected_and_not_kept(runtime, session, local, path, reason):
    with media_server() as base:
        item = fetched(session, runtime, f"{base}{path}")
    assert item.status == MediaStatus.REJECTED and reason in item.reason and item.path is None
    assert not any(Path(runtime.settings.media_dir).rglob("*.*"))


def test_a_missing_file_fails_for_good(runtime, session, local):
    with media_server() as base:
        item = fetched(session, runtime, f"{base}/gone")
    assert item.status == MediaStatus.FAILED and "404" in item.reason


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_a_local_address_is_refused_without_the_test_setting(runtime, session, configure, host):
    configure(media_allow_loopback=False)
    with media_server() as base:
        port = base.rsplit(":", 1)[1]
        item = fetched(session, runtime, f"http://{host}:{port}/photo")
    assert item.status == MediaStatus.REJECTED and "private or local address" in item.reason
