"""`foad sms`: a text sent in through the running web app's Twilio webhook, signed as Twilio
signs it, then the texts the engine sent back, read from the provider's Messages list.

The provider is the configured Twilio account (TWILIO_*), else the local Twilio-compatible
server `foad serve --local-twilio` runs for the same data directory. A reply is any text the
provider lists to the sender's number that it did not list just before the text went in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

import requests
from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from foad.devtools import local_twilio
from foad.devtools.twilio_api import new_sid
from models.settings import Settings, TwilioSettings
from models.persian import jalali
from models.phones import identify
from sms.providers.twilio import INBOUND_PATH, rest_client

MAX_BODY = 1600
"""Characters Twilio carries in one inbound text."""
WEB_TIMEOUT_S = 15.0
"""Seconds to wait for the webhook's answer: as long as Twilio waits."""
SETTLE_S = 3.0
"""Seconds to keep listening after a reply, for any that follow it."""
POLL_S = 0.5
"""Seconds between two looks at the provider's Messages list."""
LISTED = 20
"""The newest texts to the number looked at each time (more than one text can bring back)."""


class TextError(Exception):
    """The text could not be sent or followed; the message says why, for the person who tried."""


@dataclass(frozen=True)
class Reply:
    """A text the engine sent to the number, as the provider lists it."""

    sid: str
    at: datetime
    sender: str
    body: str

    def line(self) -> str:
        """One line for people: when (Jalali, Tehran time), from whom, the words."""
        words = self.body.replace("\n", " ⏎ ")
        return f"{jalali(self.at, digits='latin')}  {self.sender}: {words}"


def converse(settings: Settings, *, sender: str, to: str | None, body: str, url: str,
             wait: float) -> Iterator[str]:
    """Text `body` from `sender` to `to` (default: the service number) through the web app at
    `url`; yield what was sent, then each reply as it comes (TextError if none comes)."""
    number, to = _number(sender), to or settings.service_number
    if len(body) > MAX_BODY:
        raise TextError(f"Twilio carries at most {MAX_BODY} characters in a text, not {len(body)}")
    twilio = provider(settings)
    client = rest_client(twilio)
    seen = {reply.sid for reply in _listed(client, number)}
    sid = text_in(twilio, public_base_url=settings.public_base_url, url=url,
                  form=inbound_form(sid=new_sid("SM"), account_sid=twilio.account_sid,
                                    sender=number, to=to, body=body))
    yield f"texted {to} from {number} ({sid}): {body}"
    answered = False
    for reply in replies(client, number, seen, wait):
        answered = True
        yield reply.line()
    if not answered:
        raise TextError(f"no reply within {wait:g} s: is a worker running (`foad worker`; `foad serve` "
                        "runs one)? Blocked numbers and numbers that opted out get none")


def provider(settings: Settings) -> TwilioSettings:
    """Whose token signs the text and whose Messages list holds the replies."""
    if local_twilio.configured(settings.twilio):
        if not (settings.twilio.account_sid and settings.twilio.auth_token):
            raise TextError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to sign the text "
                            "and to read the replies")
        return settings.twilio
    local = local_twilio.running(settings.data_dir)
    if local is None:
        raise TextError(f"no SMS provider: TWILIO_* is not set and no local Twilio-compatible server "
                        f"runs for {settings.data_dir}; start one with `make run` "
                        "(or `foad serve --local-twilio`), or set TWILIO_*")
    return local


def inbound_form(*, sid: str, account_sid: str, sender: str, to: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (see PROTOCOLS: the inbound webhook)."""
    country = identify(sender).country
    form = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": account_sid,
            "From": sender, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    return {**form, "FromCountry": country} if country else form


def text_in(twilio: TwilioSettings, *, public_base_url: str, url: str, form: dict[str, str]) -> str:
    """POST `form` to the web app's inbound webhook at `url`, signed over the URL the app
    checks (FOAD_PUBLIC_BASE_URL's when set, as Twilio signs the public address); its sid."""
    target = url.rstrip("/") + INBOUND_PATH
    signature = RequestValidator(twilio.auth_token).compute_signature(
        (public_base_url or url.rstrip("/")) + INBOUND_PATH, form)
    try:
        answer = requests.post(target, data=form, headers={"X-Twilio-Signature": signature},
                               timeout=WEB_TIMEOUT_S)
    except requests.ConnectionError:
        raise TextError(f"nothing answers at {url}: start `foad serve` (or `foad web`) first") from None
    except requests.RequestException as exc:
        raise TextError(f"the web app at {url} did not answer: {type(exc).__name__}") from None
    if answer.status_code == 403:
        raise TextError("the web app refused the signature (403): give `foad sms` the web app's "
                        "TWILIO_AUTH_TOKEN and FOAD_PUBLIC_BASE_URL")
    if answer.status_code != 200:
        raise TextError(f"the web app answered {answer.status_code}: {answer.text[:200]}")
    return form["MessageSid"]


def replies(client: Client, number: str, seen: set[str], wait: float,
            settle: float = SETTLE_S) -> Iterator[Reply]:
    """Texts to `number` the provider lists and `seen` does not hold, oldest first, as they
    come: for `wait` seconds, or `settle` seconds after the latest."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for reply in reversed(_listed(client, number)):  # the provider lists the newest first
            if reply.sid not in seen:
                seen.add(reply.sid)
                deadline = time.monotonic() + settle
                yield reply
        time.sleep(POLL_S)


def _listed(client: Client, number: str) -> list[Reply]:
    """The newest texts the provider sent to `number`."""
    try:
        listed = client.messages.list(to=number, limit=LISTED, page_size=LISTED)
    except (TwilioException, requests.RequestException) as exc:
        raise TextError(f"could not read the texts sent to {number} at {client.api.base_url}: "
                        f"{exc}") from None
    return [Reply(str(m.sid), m.date_created, str(m.from_ or m.messaging_service_sid), m.body or "")
            for m in listed]


def _number(sender: str) -> str:
    """The sender in E.164, as Twilio gives it."""
    number = identify(sender).e164
    if number is None:
        raise TextError(f"--from: {sender!r} is not a phone number")
    return number
