"""The app with Twilio configured: the local REST server, signed webhooks, real jobs."""

from dataclasses import replace

import pytest

from tests.peers.fixtures import PUBLIC_BASE_URL, twilio_api  # noqa: F401  (a fixture)
from tests.sms.phones import Phones
from tests.sms.webhooks import Twilio


@pytest.fixture
def settings(settings, twilio_api):  # noqa: F811  (the fixture above)
    """Settings for a public https address, with Twilio sending through the local server."""
    return replace(settings, public_base_url=PUBLIC_BASE_URL, twilio=twilio_api.settings())


@pytest.fixture
def phones(session, work, twilio_api) -> Phones:  # noqa: F811
    """The real answer and send jobs, and what the senders' phones got."""
    return Phones(session, work, twilio_api)


@pytest.fixture
def twilio(client, settings, phones) -> Twilio:
    """Twilio, posting signed webhooks to the app; `text()` also runs the jobs that answer."""
    return Twilio(client, settings.twilio.account_sid, settings.twilio.auth_token, phones=phones)
