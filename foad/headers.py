"""Security headers on every answer of the web app, whichever blueprint made it.

A view may set any of them itself (the console's replay of recordings and attachments sets
a stricter Content-Security-Policy with `sandbox`); what it sets is kept, the rest filled in
here.
Pages load only the app's own script and styles (no inline script or style attribute
anywhere), are never framed, and dynamic answers are not stored by browsers or proxies:
most carry personal data (a complaint, a caller's number), and a page that does not can say
so with its own Cache-Control.
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
"""The Content-Security-Policy of every page: its own files only, no inline script."""

DEFAULTS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install(app: Flask) -> None:
    """Give every answer of `app` the headers it did not set itself."""
    app.after_request(secure)


_FILLED = (*DEFAULTS.items(), ("Cache-Control", "no-store"))
"""Every header `secure` fills in, with its value; names as HTTP compares them, below."""


def secure(response: Response) -> Response:
    """`response` with the security headers, and `no-store` unless it set its own caching."""
    # One pass over what the view set (every answer pays this; werkzeug's per-name look-ups
    # scan the headers once each).
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in _FILLED if name.lower() not in present])
    return response
