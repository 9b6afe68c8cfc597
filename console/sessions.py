"""Console sessions: an idle timeout that background refreshes do not reset, and a longest life.

Flask re-signs the session cookie on every answer, and its signing time is what the idle
timeout (FOAD_CONSOLE_SESSION_MINUTES) counts from. The ticket list refreshes its rows by
itself every few seconds; were those answers to re-sign the cookie, an open tab would never
time out. So a background request (the header below, sent by console.js) never touches the
cookie, and a logged-out one gets a 401 for the page to say so, not the log-in page's HTML.
"""

from __future__ import annotations

import time

from flask import Flask, Response, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import logout_user

from console.runtime import runtime

BACKGROUND_HEADER = "X-Foad-Background"
"""Sent with "1" by console.js on requests no person made (the list's live refresh)."""
LOGIN_AT = "login_at"
"""Session key: the Unix time of the log-in, for FOAD_CONSOLE_SESSION_MAX_HOURS."""


def is_background() -> bool:
    """True when the request is the page's own refresh, not a person's click."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie background requests leave as it was."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask does, except on a background request: not renewing is the point."""
        if is_background():
            return
        super().save_session(app, session, response)


def began() -> None:
    """Note the moment of a log-in in the session."""
    session[LOGIN_AT] = time.time()


def end_if_too_old() -> None:
    """Before each request: a log-in older than FOAD_CONSOLE_SESSION_MAX_HOURS is over."""
    if "_user_id" not in session:
        return
    longest = runtime().settings.console_session_max.total_seconds()
    if time.time() - session.get(LOGIN_AT, 0) > longest:
        logout_user()
        session.pop(LOGIN_AT, None)


def ended() -> Response:
    """The answer to a background request whose session has ended."""
    return Response("نشست پایان یافته است؛ دوباره وارد شوید.", 401, mimetype="text/plain")
