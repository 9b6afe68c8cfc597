"""Webhook requests as Twilio makes them, signed with twilio's own RequestValidator."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from typing import Any, Sequence

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from foad.devtools.inbound import inbound_form
from foad.devtools.twilio_api import new_sid
from tests.peers.fixtures import PUBLIC_BASE_URL
from tests.sms.phones import Phones

CITIZEN = "+989121234567"
SERVICE_NUMBER = "+98128"
INBOUND = "/sms/twilio/inbound"
STATUS = "/sms/twilio/status"

_numbers = itertools.count(1)


def reply_of(response: TestResponse) -> str:
    """The text of a TwiML reply, "" for an empty <Response/>."""
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return "".join(m.text or "" for m in root.findall("Message"))


class Twilio:
    """Posts inbound texts and delivery reports to the app, signed as Twilio signs them;
    with `phones`, also follows a text to the reply its sender's phone gets."""

    def __init__(self, client: FlaskClient, account_sid: str, auth_token: str,
                 base_url: str = PUBLIC_BASE_URL, phones: Phones | None = None) -> None:
        self.client, self.account_sid, self.base_url = client, account_sid, base_url
        self.validator = RequestValidator(auth_token)
        self.phones = phones

    def sign(self, path: str, form: dict[str, Any]) -> str:
        """X-Twilio-Signature for `form` posted to `path` under the public base URL."""
        return self.validator.compute_signature(self.base_url + path, form)

    def post(self, path: str, form: dict[str, Any], signature: str | None = "sign",
             **kwargs: Any) -> TestResponse:
        """POST `form` to `path`; signature "sign" signs it, None leaves the header out."""
        headers = dict(kwargs.pop("headers", {}))
        if signature is not None:
            headers["X-Twilio-Signature"] = self.sign(path, form) if signature == "sign" else signature
        return self.client.post(path, data=form, headers=headers, **kwargs)

    def form(self, body: str, sender: str = CITIZEN, sid: str | None = None,
             media: Sequence[tuple[str, str]] = (), **extra: str) -> dict[str, str]:
        """The fields Twilio posts for an inbound SMS or MMS."""
        form = inbound_form(sid=sid or new_sid("MM" if media else "SM"), account_sid=self.account_sid,
                            sender=sender, to=SERVICE_NUMBER, body=body)
        form.update(NumMedia=str(len(media)), ToCountry="IR")
        for n, (url, content_type) in enumerate(media):
            form[f"MediaUrl{n}"], form[f"MediaContentType{n}"] = url, content_type
        return {**form, **extra}

    def deliver(self, form: dict[str, str]) -> None:
        """Deliver an inbound text: the webhook takes it in and answers an empty TwiML."""
        assert reply_of(self.post(INBOUND, form)) == ""

    def text(self, body: str, sender: str = CITIZEN, sid: str | None = None,
             media: Sequence[tuple[str, str]] = (), **extra: str) -> str:
        """Send an inbound text and let the workers answer it: the reply the sender's phone
        got ("" for none)."""
        assert self.phones is not None, "give Twilio the phones to follow a text to its reply"
        after = self.phones.mark()
        form = self.form(body, sender, sid, media, **extra)
        self.deliver(form)
        return self.phones.answer(form["MessageSid"], after)

    def report(self, sid: str, status: str, error_code: str | None = None,
               ref: int | None = None) -> TestResponse:
        """A delivery report for a message we sent."""
        form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                "AccountSid": self.account_sid, "To": CITIZEN, "From": "+15005550006",
                "ApiVersion": "2010-04-01"}
        if error_code:
            form["ErrorCode"] = error_code
        path = STATUS + (f"?ref={ref}" if ref is not None else "")
        return self.post(path, form)


def another_mobile() -> str:
    """A fresh Iranian mobile number, so tests do not share rate limits or threads."""
    return f"+98912{next(_numbers):07d}"
