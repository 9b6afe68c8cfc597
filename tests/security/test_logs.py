"""Logs under attack: a log file read by more people than the console, finding callers'
numbers and what supervisors searched for in it."""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from foad.logs import configure_logging, mask_numbers
from models.base import utcnow
from sms.providers.twilio import TwilioProvider
from tests.console.conftest import csrf_token
from tests.security.web import foad_web

NUMBER = "09121234567"
E164 = "+989121234567"


@pytest.fixture
def logged(settings):
    """The engine's logging (as every entry point sets it up) into a string; put back after."""
    root, quiet = logging.getLogger(), logging.getLogger("twilio.http_client")
    saved = root.handlers[:], root.level, quiet.level
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    yield stream
    root.handlers[:], root.level, _ = saved
    quiet.setLevel(saved[2])


def get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_web_servers_log_holds_no_number_and_no_search(settings, runtime, tmp_path):
    with foad_web(settings, tmp_path / "web") as web:
        web.health(timeout=30)
        assert get(web.port, f"/console/tickets?q={NUMBER}") == 200  # the log-in page, after a redirect
        assert get(web.port, "/%2B989121234567") == 404
        assert get(web.port, "/console/audit?user=maryam&ticket=4821930576") == 200
    log = web.text()
    assert '"GET /console/audit HTTP/1.1"' in log  # gunicorn's access lines are there, paths only
    for secret in (NUMBER, E164, "9121234567", "q=", "maryam"):
        assert secret not in log


def test_the_twilio_clients_own_trace_never_logs_a_number(settings, twilio_api, logged):
    provider = TwilioProvider(settings.twilio)
    assert provider.find_sent(E164, "a result", utcnow() - timedelta(minutes=1)) is None
    provider.send(E164, "a result", "1")
    assert "9121234567" not in logged.getvalue()


def test_a_number_typed_as_a_log_in_name_is_masked_in_the_log(client, logged):
    client.post("/console/login", data={"name": NUMBER, "password": "a wrong guess", "csrf_token": csrf_token(client)})
    lines = logged.getvalue()
    assert "console log-in refused" in lines and "user=091…67" in lines and NUMBER not in lines


@pytest.mark.parametrize("text, masked", [
    (f"from {E164} at 10:00", "from +98…67 at 10:00"),
    ("۰۹۱۲۱۲۳۴۵۶۷ texted", "۰۹۱…۶۷ texted"),
    ("0912 123 4567", "091…67"),
    ("tracking code 4821930576", "tracking code 4821930576"),  # a code is not a number
    ("message_sid=SMa0912345678901234567890123456789", "message_sid=SMa0912345678901234567890123456789"),
    ("call 1795440000.77", "call 1795440000.77"),
])
def test_numbers_are_masked_and_codes_and_ids_left_alone(text, masked):
    assert mask_numbers(text) == masked
