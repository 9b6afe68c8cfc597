"""A console user's own account: changing their password, seeing their log-ins, and logging
out everywhere."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from console import throttle
from console.auth import wait_message
from console.runtime import db, runtime
from models import logins
from models.accounts import change_password
from models.errors import DomainError
from models.users import MIN_PASSWORD

log = logging.getLogger(__name__)

bp = Blueprint("account", __name__, url_prefix="/console/account")


@bp.get("/password")
@login_required
def password_form():
    """The form to change one's own password, and one's log-ins with "log out everywhere"."""
    return _page(200)


@bp.post("/password")
@login_required
def change():
    """Change one's own password: the current one first (throttled like the log-in), then the
    new one twice. Every other log-in of the user ends; this one goes on."""
    form, user = request.form, current_user.row
    redis, counters = runtime().redis, throttle.password_counters(user.id)
    wait = throttle.attempt(redis, counters)
    if wait:
        log.warning("console password change throttled", extra={"user": user.name})
        flash(wait_message(wait), "error")
        return _page(429)
    if not user.check_password(form.get("current", "")):
        flash("گذرواژهٔ کنونی درست نیست.", "error")
        return _page(400)
    throttle.succeeded(redis, forget=counters)
    if form.get("new", "") != form.get("again", ""):
        flash("گذرواژهٔ تازه و تکرار آن یکی نیستند.", "error")
        return _page(400)
    try:
        change_password(db(), user, form.get("new", ""), keep=current_user.token)
    except DomainError:
        db().rollback()
        flash(f"گذرواژهٔ تازه دست‌کم {MIN_PASSWORD} نویسه می‌خواهد.", "error")
        return _page(400)
    log.info("console password changed", extra={"user": user.name})
    flash("گذرواژه تغییر کرد؛ ورودهای دیگر شما پایان یافت.", "ok")
    return redirect(url_for("tickets.home"))


@bp.post("/logins/end")
@login_required
def end_everywhere():
    """Log out everywhere: every log-in of the user ends, this one too."""
    user = current_user.row
    ended = logins.end_all(db(), user.id)
    db().commit()
    logout_user()
    log.info("console log-out everywhere", extra={"user": user.name, "logins": ended})
    flash("از همه‌جا خارج شدید.", "ok")
    return redirect(url_for("auth.login"))


def _page(status: int):
    mine = logins.of_user(db(), current_user.id)
    this = next((entry for entry in mine if logins.is_token_of(entry, current_user.token)), None)
    return render_template("password.html", minimum=MIN_PASSWORD, logins=mine, this=this), status
