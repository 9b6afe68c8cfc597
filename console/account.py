"""A console user's own account: changing their password."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from console.runtime import db
from models.errors import DomainError
from models.users import MIN_PASSWORD, change_password

log = logging.getLogger(__name__)

bp = Blueprint("account", __name__, url_prefix="/console/account")


@bp.get("/password")
@login_required
def password_form():
    """The form to change one's own password."""
    return render_template("password.html", minimum=MIN_PASSWORD)


@bp.post("/password")
@login_required
def change():
    """Change one's own password: the current one first, then the new one twice."""
    form, user = request.form, current_user.row
    if not user.check_password(form.get("current", "")):
        flash("گذرواژهٔ کنونی درست نیست.", "error")
    elif form.get("new", "") != form.get("again", ""):
        flash("گذرواژهٔ تازه و تکرار آن یکی نیستند.", "error")
    else:
        try:
            change_password(db(), user, form.get("new", ""))
        except DomainError:
            db().rollback()
            flash(f"گذرواژهٔ تازه دست‌کم {MIN_PASSWORD} نویسه می‌خواهد.", "error")
        else:
            log.info("console password changed", extra={"user": user.name})
            flash("گذرواژه تغییر کرد.", "ok")
            return redirect(url_for("tickets.home"))
    return render_template("password.html", minimum=MIN_PASSWORD), 400
