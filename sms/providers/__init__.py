"""SMS providers behind one interface, and which one texts a number (FOAD_SMS_ROUTES)."""

from __future__ import annotations

from redis import Redis

from models.providers import NoRoute, SmsProvider
from models.settings import Settings
from sms.providers.smpp import SmppProvider
from sms.providers.twilio import STATUS_PATH, TwilioProvider


class Router:
    """The configured providers, and the route table that picks one for each number."""

    def __init__(self, routes: tuple[tuple[str, str], ...], providers: dict[str, SmsProvider | None]) -> None:
        self._routes = routes
        self._providers = providers

    def for_number(self, number: str) -> SmsProvider | None:
        """The provider that texts `number` (longest prefix first, "*" the rest), or None
        when that provider is not configured; NoRoute when no route covers the number."""
        for prefix, name in self._routes:
            if prefix == "*" or number.startswith(prefix):
                return self._providers.get(name)
        raise NoRoute(number)

    def named(self, name: str) -> SmsProvider | None:
        """The provider called `name`, if configured."""
        return self._providers.get(name)


def router(settings: Settings, redis: Redis) -> Router:
    """The providers the settings configure, routed as FOAD_SMS_ROUTES says."""
    twilio = None
    if settings.twilio.can_send:
        callback = settings.public_base_url + STATUS_PATH if settings.public_base_url else None
        twilio = TwilioProvider(settings.twilio, status_callback=callback)
    smpp = SmppProvider(redis, settings.smpp.submit_timeout) if settings.smpp.configured else None
    return Router(settings.sms_routes, {"twilio": twilio, "smpp": smpp})
