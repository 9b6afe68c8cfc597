"""Logging in and out: log-ins recorded on the server (models.logins) that expire when idle
and after the longest session, hashed passwords, throttled tries."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_url, login_user, logout_user

from console import sessions, throttle
from console.runtime import db, runtime
from models import logins
from models.base import utcnow
from models.persian import persian_digits
from models.users import User, verify_login

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/console")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "برای دیدن این صفحه وارد شوید."
# A cookie seen from another address or browser: for permanent sessions (ours) Flask-Login
# only marks it not fresh. What ends a copied cookie is ending its log-in (models.logins).
login_manager.session_protection = "strong"


class ConsoleUser:
    """The Flask-Login face of a User row: what the session remembers is only the token of
    the log-in (models.logins), looked up on every request."""

    def __init__(self, user: User, token: str) -> None:
        self.row, self.token = user, token

    def __getattr__(self, name: str) -> object:
        return getattr(self.row, name)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Deactivated users are logged out at their next request."""
        return bool(self.row.active)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the log-in's token, never the user's id."""
        return self.token


SESSION_ENDED = "نشست شما پایان یافت؛ دوباره وارد شوید. آنچه نوشته بودید نگه داشته شده است."
"""Said at the log-in form to someone whose session ended while a form of theirs was open."""


@login_manager.unauthorized_handler
def _unauthorized():
    """A person is sent to log in and then back; the list's background refresh gets a 401."""
    if sessions.is_background():
        return sessions.ended()
    return to_log_in(request.url, login_manager.login_message)


def to_log_in(then: str, message: str):
    """A redirect to the log-in form, saying `message`, that comes back to `then` after."""
    flash(message, "error")
    return redirect(login_url(login_manager.login_view, next_url=then))


@login_manager.user_loader
def _load(token: str) -> ConsoleUser | None:
    """The user of a live log-in: logged out, ended elsewhere, past the longest session (or
    deactivated) is none."""
    found = logins.find(db(), token, begun_after=utcnow() - runtime().settings.console_session_max)
    return ConsoleUser(found.user, token) if found is not None else None


def wait_message(seconds: int) -> str:
    """What a throttled form says: how many minutes to wait, in Persian."""
    return f"تلاش نادرست بسیار بوده است؛ {persian_digits(-(-seconds // 60))} دقیقهٔ دیگر دوباره بکوشید."


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in form; on success, back to where the user was going."""
    if request.method == "GET":
        return render_template("login.html")
    name, address = request.form.get("name", ""), request.remote_addr
    redis, counters = runtime().redis, throttle.login_counters(name, address)
    wait = throttle.attempt(redis, counters)
    if wait:  # no password is checked meanwhile: guessing gets no answer either way
        log.warning("console log-in throttled", extra={"user": name[:80], "address": address})
        flash(wait_message(wait), "error")
        return render_template("login.html"), 429
    user = verify_login(db(), name, request.form.get("password", ""))
    if user is None:
        log.warning("console log-in refused", extra={"user": name[:80], "address": address})
        flash("نام کاربری یا گذرواژه درست نیست.", "error")
        return render_template("login.html"), 401
    throttle.succeeded(redis, forget=counters[:1], give_back=counters[1:])
    _begin(user)
    log.info("console log-in", extra={"user": user.name, "role": user.role})
    return redirect(_safe_next(request.args.get("next")))


def _begin(user: User) -> None:
    """Record the log-in on the server and put its token in the session."""
    settings, now = runtime().settings, utcnow()
    token = logins.begin(db(), user.id, now=now, address=request.remote_addr, agent=request.user_agent.string,
                         expired_before=now - settings.console_session_max)
    db().commit()
    session.permanent = True  # expires after FOAD_CONSOLE_SESSION_MINUTES idle
    login_user(ConsoleUser(user, token))


@bp.post("/logout")
def logout():
    """End this log-in on the server too: a copy of the cookie is worth nothing after."""
    if current_user.is_authenticated:
        logins.end(db(), current_user.token)
        db().commit()
        log.info("console log-out", extra={"user": current_user.name})
    logout_user()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somebody else's."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("tickets.index")
