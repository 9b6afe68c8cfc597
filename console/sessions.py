"""Console sessions: an idle timeout that background refreshes do not reset, and a cookie
that is Secure whenever the console is reached over https.

Flask re-signs the session cookie on every answer, and its signing time is what the idle
timeout (FOAD_CONSOLE_SESSION_MINUTES) counts from. The ticket list refreshes its rows by
itself every few seconds; were those answers to re-sign the cookie, an open tab would never
time out. So a background request (the header below, sent by console.js) never touches the
cookie, and a logged-out one gets a 401 for the page to say so, not the log-in page's HTML.
The log-in itself, and its longest life, are kept on the server (models.logins).

Most requests carry no session at all (Twilio's webhooks, Open311 clients, Prometheus): for
those no signing serializer is built and no cookie written, the same outcome as Flask's
own code at a fraction of its cost on the webhook's hot path.
"""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

BACKGROUND_HEADER = "X-Foad-Background"
"""Sent with "1" by console.js on requests no person made (the list's live refresh)."""


def is_background() -> bool:
    """True when the request is the page's own refresh, not a person's click."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie background requests leave as it was."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's session; without a session cookie a new empty one, as Flask would make it."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask does, except on a background request: not renewing is the point.
        A session nobody read or changed that holds nothing leaves the answer as Flask would."""
        if is_background() or not (session or session.modified or session.accessed):
            return
        super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when the public base URL is https, or when this request came over https
        (directly, or through a trusted proxy that says so in X-Forwarded-Proto)."""
        return bool(super().get_cookie_secure(app)) or request.is_secure


def ended() -> Response:
    """The answer to a background request whose session has ended."""
    return Response("نشست پایان یافته است؛ دوباره وارد شوید.", 401, mimetype="text/plain")
