"""X-Twilio-Signature: the HMAC of the URL Twilio called and every field it posted.

A signature is good for exactly one request: the URL, every field as posted and the auth
token in use now. A stale one (made with the token before a rotation, or lifted from an
earlier message and put on other fields, another MessageSid) fails like a forged one: 403,
nothing stored. A word-for-word replay of a signed request passes the check, and the
MessageSid it carries makes it a copy the inbox already holds (stored once, answered once).
"""

from __future__ import annotations

import hmac
import logging
from functools import wraps
from typing import Callable, TypeVar
from urllib.parse import urlparse

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator, add_port, remove_port

from models.runtime import runtime_of

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., object])


def signed_url(req: Request, public_base_url: str) -> str:
    """The URL Twilio signed: the public base URL with this path and query when set (behind
    a TLS proxy the request itself says http:// and an inner host), else the request's,
    which FOAD_TRUSTED_PROXIES has rebuilt from the proxy's X-Forwarded-* headers."""
    if not public_base_url:
        return req.url
    query = req.query_string.decode("latin-1")
    return public_base_url + req.path + (f"?{query}" if query else "")


def is_signed(req: Request, auth_token: str, public_base_url: str) -> bool:
    """True when the request carries Twilio's signature over its URL and form fields."""
    signature = req.headers.get("X-Twilio-Signature", "")
    if not (signature and auth_token):
        return False
    validator, url = RequestValidator(auth_token), urlparse(signed_url(req, public_base_url))
    # Twilio may have signed the URL with or without its default port (as the library's
    # validate() allows both); it computes both HMACs every time, this one the second only
    # when the first fails.
    return any(hmac.compare_digest(validator.compute_signature(candidate, req.form).encode(), signature.encode())
               for candidate in (remove_port(url), add_port(url)))


def signed(view: View) -> View:
    """Refuse a request Twilio did not sign (403, nothing read or stored), unless the
    settings turned checking off for local development."""

    @wraps(view)
    def checked(*args: object, **kwargs: object) -> object:
        settings = runtime_of(current_app).settings
        if settings.sms_check_signatures and not is_signed(
                request, settings.twilio.auth_token, settings.public_base_url):
            log.warning("refused a webhook without a valid Twilio signature",
                        extra={"path": request.path, "message_sid": request.form.get("MessageSid")})
            abort(403)
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]
