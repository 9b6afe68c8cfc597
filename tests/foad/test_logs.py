"""Structured logs carry the ticket's code and the call or message id."""

import io
import json
import logging

import pytest

from foad.devtools.twilio_api import TwilioApi
from foad.logs import configure_logging
from foad.settings import read_settings
from sms.providers.twilio import rest_client


@pytest.fixture(autouse=True)
def keep_root_logger():
    """configure_logging() replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def emit(tmp_path, fmt: str) -> str:
    stream = io.StringIO()
    configure_logging(read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_LOG_FORMAT": fmt}),
                      stream=stream)
    logging.getLogger("foad.test").info("ticket opened", extra={"ticket": "4821930576", "call": "17.5"})
    return stream.getvalue()


def test_text_lines_end_with_key_value_context(tmp_path):
    line = emit(tmp_path, "text")
    assert "INFO    foad.test: ticket opened ticket=4821930576 call=17.5" in line


def test_json_lines_hold_the_context_as_fields(tmp_path):
    doc = json.loads(emit(tmp_path, "json"))
    assert doc["message"] == "ticket opened" and doc["ticket"] == "4821930576" and doc["call"] == "17.5"


def test_the_twilio_clients_requests_leave_no_phone_number_in_the_log(tmp_path):
    stream = io.StringIO()
    configure_logging(read_settings({"FOAD_DATA_DIR": str(tmp_path)}), stream=stream)
    with TwilioApi() as api:
        rest_client(api.settings()).messages.list(to="+989121234567", limit=1)
    assert "989121234567" not in stream.getvalue()


@pytest.mark.parametrize("level, shown", [("INFO", False), ("DEBUG", True)])
def test_rqs_routine_info_is_debug_and_its_warnings_stay(tmp_path, level, shown):
    stream = io.StringIO()
    configure_logging(read_settings({"FOAD_DATA_DIR": str(tmp_path), "FOAD_LOG_LEVEL": level}), stream=stream)
    rq = logging.getLogger("rq.worker")
    rq.info("Worker w: cleaning registries for queue: routing")
    rq.warning("Worker w: could not connect to Redis")
    logging.getLogger("worker.outbox").info("job done")
    lines = stream.getvalue().splitlines()
    assert ("DEBUG   rq.worker: Worker w: cleaning registries" in stream.getvalue()) is shown
    assert any("WARNING rq.worker" in line for line in lines)
    assert any("INFO    worker.outbox" in line for line in lines)
