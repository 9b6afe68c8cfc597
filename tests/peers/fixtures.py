"""Pytest fixtures around the peers; import them into a test module or conftest to use them."""

from __future__ import annotations

from typing import Iterator

import pytest

from foad.devtools.twilio_api import TwilioApi

PUBLIC_BASE_URL = "https://foad.example.ir"
"""The public address the tests' Twilio signs webhooks for (the app itself is on http)."""


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    """A running Twilio-compatible REST server."""
    with TwilioApi() as api:
        yield api
