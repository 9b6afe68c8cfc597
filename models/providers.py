"""The one SMS provider interface and its typed errors; each provider is a small plugin.

The providers themselves live with the SMS channel (sms/providers/); the rest of the engine
sees only this interface, given to it by the runtime.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Protocol

from models.media import Kept


class SendError(Exception):
    """A send the provider did not accept; `code` is the provider's own error code."""

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.code = detail, code


class RetryableSendError(SendError):
    """A failure that may pass: rate limited, a server error, a timeout. Retry later."""


class OutcomeUnknown(RetryableSendError):
    """No answer (a read timeout, a dropped connection): the provider may have taken the
    message. Before sending it again, ask the provider (`find_sent`)."""


class PermanentSendError(SendError):
    """A refusal that will not pass: a bad number, a blocked destination. Do not retry."""


class Unsubscribed(PermanentSendError):
    """The recipient told the provider to stop (Twilio 21610); record it as an opt-out."""


class SmsProvider(Protocol):
    """Sends one text; providers keep their protocol, credentials and quirks inside."""

    name: str
    """Stored on each message row ("twilio")."""

    def send(self, to: str, body: str, idempotency_key: str) -> str:
        """Send `body` to `to` (E.164); return the provider's message id.

        `idempotency_key` is our message's id; providers that support deduplication or
        delivery-report references use it. Raises RetryableSendError (OutcomeUnknown when
        the message may have gone out) or PermanentSendError.
        """
        ...

    def find_sent(self, to: str, body: str, since: datetime, exclude: Collection[str] = ()) -> str | None:
        """The provider's id of a message with exactly `body` sent to `to` since `since`,
        other than those in `exclude` (the oldest such), or None when there is none.

        How a send whose outcome is unknown is settled without texting twice. Raises
        RetryableSendError when the provider cannot be asked now.
        """
        ...

    def download_media(self, url: str, content_type: str, media_dir: Path, name: str,
                       max_bytes: int) -> Kept:
        """Fetch an attachment of an inbound message from the provider into
        `media_dir/name.<ext>`, with the provider's credentials and only from its own host.

        Raises MediaRejected (its content not a photo or video, too large, not the provider's), MediaGone
        (the provider will not give it) or MediaRetry (try again later).
        """
        ...


class NoRoute(Exception):
    """No route in FOAD_SMS_ROUTES covers the number."""


class SmsRoutes(Protocol):
    """The configured providers and which one texts which number (FOAD_SMS_ROUTES)."""

    def for_number(self, number: str) -> SmsProvider | None:
        """The provider that texts `number`, or None when that provider is not configured;
        NoRoute when no route covers the number."""
        ...

    def named(self, name: str) -> SmsProvider | None:
        """The provider called `name` ("twilio", "smpp"), if configured: the one a message
        came in by, to fetch its attachments."""
        ...


def redact(number: str | None) -> str:
    """A phone number fit for logs: country prefix and the last two digits only."""
    if not number:
        return "-"
    return f"{number[:3]}…{number[-2:]}" if len(number) > 6 else "…"
