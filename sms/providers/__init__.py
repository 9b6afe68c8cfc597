"""SMS providers behind one interface; `from_settings` picks the configured one."""

from __future__ import annotations

from models.providers import SmsProvider
from models.settings import Settings
from sms.providers.twilio import STATUS_PATH, TwilioProvider


def from_settings(settings: Settings) -> SmsProvider | None:
    """The provider the settings configure, or None when none is (texts stay unsent)."""
    if not settings.twilio.can_send:
        return None
    callback = settings.public_base_url + STATUS_PATH if settings.public_base_url else None
    return TwilioProvider(settings.twilio, status_callback=callback)
