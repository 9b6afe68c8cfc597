"""Fixtures for the security tests: the console's people and forms, Twilio's signed webhooks
against the same public address, and the local Twilio-compatible server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.console.conftest import CONSOLE_BASE_URL, login, person, post  # noqa: F401  (fixtures)
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.sms.webhooks import Twilio


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811  (the fixture imported above)
    """The console's plain-http public address (its session cookie works over the test
    client), and texts sent to the local Twilio-compatible server."""
    return replace(settings, public_base_url=CONSOLE_BASE_URL, twilio=twilio_api.settings(timeout=0.5))


@pytest.fixture
def twilio(client, settings) -> Twilio:
    """Twilio posting webhooks to the app, signed for the public address."""
    return Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token, base_url=CONSOLE_BASE_URL)
