"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright, and a live app.

Playwright's own browser download cannot run here (nothing is fetched at test time): the
tests use the Chromium that `apt-get install chromium` put in /usr/bin (`make test` installs it
when run as root). Without it they fail, saying what to install: a browser test never passes
by not running.
"""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = ("no Chromium on this machine: the browser tests need Debian's chromium package "
           "(apt-get install chromium); make test installs it when run as root")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # This machine's network is closed: without these, Chromium's own calls home pile up.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The tests start playback from script, with no user gesture to allow it.
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for a module's tests (import this fixture into the module)."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail(MISSING, pytrace=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(app):
    """The test's app served over real HTTP (import this fixture into the module)."""
    with live_server(app) as url:
        yield url


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve `app` on a free local port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (kept by CI, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
