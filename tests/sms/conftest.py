"""The app with Twilio configured: the local REST server, and signed webhooks."""

from dataclasses import replace

import pytest

from tests.peers.fixtures import PUBLIC_BASE_URL, twilio_api  # noqa: F401  (a fixture)
from tests.sms.webhooks import Twilio


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811  (the fixture above)
    """Settings for a public https address, with Twilio sending through the local server."""
    return replace(settings, public_base_url=PUBLIC_BASE_URL, twilio=twilio_api.settings(timeout=0.5))


@pytest.fixture
def twilio(client, settings) -> Twilio:
    """Twilio, posting signed webhooks to the app."""
    return Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token)
