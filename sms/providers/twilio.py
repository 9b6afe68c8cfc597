"""Twilio's REST API as an SMS provider, through the real twilio client."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

# The client imports its Messages API on first use (~30 ms): importing it with the provider
# lets RQ's forked work horses find it loaded instead of paying for it on every send.
import twilio.rest.api.v2010.account  # noqa: F401
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client
from urllib3.exceptions import HTTPError

from models.providers import (
    Kept,
    OutcomeUnknown,
    PermanentSendError,
    RetryableSendError,
    SendError,
    Unsubscribed,
)
from models.settings import TwilioSettings
from sms import media
from sms.providers.twilio_http import PooledHttpClient

INBOUND_PATH = "/sms/twilio/inbound"
"""Where Twilio posts inbound texts (the number's "A message comes in" webhook)."""
STATUS_PATH = "/sms/twilio/status"
"""Where Twilio posts delivery reports of what we send."""
UNSUBSCRIBED = 21610
"""Twilio: the recipient replied STOP; nothing reaches them until they reply START."""
CLOCK_SKEW = timedelta(minutes=1)
"""How far Twilio's clock (its date_created) may be behind ours."""
LOOKUP_LIMIT = 1000
"""Messages to one number a look-up reads at most (newest first): a day's worth and more."""


class TwilioProvider:
    """Sends from a number or a Messaging Service, asking for delivery reports."""

    name = "twilio"

    def __init__(self, settings: TwilioSettings, status_callback: str | None = None) -> None:
        self._settings = settings
        self._sender = ({"messaging_service_sid": settings.messaging_service_sid}
                        if settings.messaging_service_sid else {"from_": settings.from_number})
        self._status_callback = status_callback
        self._client = rest_client(settings)

    def send(self, to: str, body: str, idempotency_key: str) -> str:
        """Create the message at Twilio; its SID is the provider message id."""
        # Twilio takes no idempotency key; the key rides on the delivery-report URL so a
        # report can still find its row if the job died before it stored the SID.
        callback = f"{self._status_callback}?ref={idempotency_key}" if self._status_callback else None
        try:
            message = self._client.messages.create(to=to, body=body, status_callback=callback,
                                                   **self._sender)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc.status, exc.code, _detail(exc)) from exc
        except HTTPError as exc:
            # No answer (a read timeout, a dropped connection): Twilio may have taken it.
            # The retry asks Twilio (find_sent) before it sends again.
            raise OutcomeUnknown(f"no answer from Twilio: {type(exc).__name__}") from exc
        return str(message.sid)

    def find_sent(self, to: str, body: str, since: datetime, exclude: Collection[str] = ()) -> str | None:
        """Look among the messages Twilio lists for `to` sent on or after the day of `since`
        (Twilio's DateSent filter counts whole GMT days), then by the exact body and time."""
        earliest = since - CLOCK_SKEW
        day = datetime.combine(earliest.astimezone(timezone.utc).date(), time(), timezone.utc)
        try:
            listed = self._client.messages.list(to=to, date_sent_after=day, limit=LOOKUP_LIMIT,
                                                page_size=100)
        except (TwilioException, HTTPError) as exc:
            raise RetryableSendError(f"could not list messages at Twilio: {type(exc).__name__}") from exc
        oldest_first = reversed(listed)  # Twilio lists the newest first
        return next((str(m.sid) for m in oldest_first if m.body == body and m.sid not in exclude
                     and m.date_created is not None and m.date_created >= earliest), None)


    def download_media(self, url: str, content_type: str, media_dir: Path, name: str,
                       max_bytes: int) -> Kept:
        """An MMS attachment, fetched with the account's credentials from Twilio's API host."""
        return media.download(url, content_type, media_dir, name, self._settings, max_bytes)


def rest_client(settings: TwilioSettings) -> Client:
    """The twilio client for these settings: their account, API host and timeout."""
    # The default client waits forever; ours gives up so the job can retry. The proxy the
    # environment names for the API host (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) is read once.
    proxies = requests.utils.get_environ_proxies(settings.api_base_url)
    http = PooledHttpClient(settings.timeout, proxies.get(urlsplit(settings.api_base_url).scheme))
    client = Client(
        settings.account_sid, settings.auth_token,
        http_client=http,
        # Our settings, not the process environment: TWILIO_EDGE or TWILIO_REGION
        # there would rewrite the host of TWILIO_API_BASE_URL.
        environment={"TWILIO_ACCOUNT_SID": settings.account_sid},
    )
    client.api.base_url = settings.api_base_url
    return client


def _detail(exc: TwilioRestException | TwilioServiceException) -> str:
    # Twilio's texts can name the number: they go to the message row, never to logs.
    if isinstance(exc, TwilioRestException):
        return exc.msg
    return exc.detail or exc.title


def _classify(status: int, code: int | None, detail: str) -> SendError:
    """Rate limits and server errors pass; any other refusal will not."""
    code_text = str(code) if code is not None else str(status)
    if code == UNSUBSCRIBED:
        return Unsubscribed(detail, code_text)
    if status == 429 or status >= 500:
        return RetryableSendError(detail, code_text)
    return PermanentSendError(detail, code_text)
