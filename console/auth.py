"""Logging in and out: Flask-Login sessions that expire when idle, hashed passwords."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_url, login_user, logout_user
from sqlalchemy import select

from console import sessions, throttle
from console.runtime import db, runtime
from models.persian import persian_digits
from models.users import User

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/console")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "برای دیدن این صفحه وارد شوید."
# A stolen cookie replayed from elsewhere loses the log-in rather than keeping it.
login_manager.session_protection = "strong"


class ConsoleUser:
    """The Flask-Login face of a User row: what the session remembers is only its id."""

    def __init__(self, user: User) -> None:
        self.row = user

    def __getattr__(self, name: str) -> object:
        return getattr(self.row, name)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Deactivated users are logged out at their next request."""
        return bool(self.row.active)

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.row.id)


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
def _load(user_id: str) -> ConsoleUser | None:
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return ConsoleUser(user) if user is not None and user.active else None


def authenticate(name: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = db().scalar(select(User).where(User.name == name.strip()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in form; on success, back to where the user was going."""
    if request.method == "GET":
        return render_template("login.html")
    name, address = request.form.get("name", ""), request.remote_addr
    redis = runtime().redis
    wait = throttle.wait_seconds(redis, name, address)
    if wait:  # no password is checked meanwhile: guessing gets no answer either way
        log.warning("console log-in throttled", extra={"user": name[:80], "address": address})
        flash(f"ورود نادرست بسیار بوده است؛ {persian_digits(-(-wait // 60))} دقیقهٔ دیگر دوباره بکوشید.", "error")
        return render_template("login.html"), 429
    user = authenticate(name, request.form.get("password", ""))
    if user is None:
        throttle.failed(redis, name, address)
        log.warning("console log-in refused", extra={"user": name[:80], "address": address})
        flash("نام کاربری یا گذرواژه درست نیست.", "error")
        return render_template("login.html"), 401
    throttle.succeeded(redis, name)
    session.permanent = True  # expires after FOAD_CONSOLE_SESSION_MINUTES idle
    login_user(ConsoleUser(user))
    sessions.began()
    log.info("console log-in", extra={"user": user.name, "role": user.role})
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    """End the session."""
    if current_user.is_authenticated:
        log.info("console log-out", extra={"user": current_user.name})
    logout_user()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somebody else's."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("tickets.index")
