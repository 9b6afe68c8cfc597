"""Users and the agency directory: for admins and supervisors, each action as
models.accounts allows it for that pair of roles."""

from __future__ import annotations

import csv
import io
import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from console import access
from console.runtime import db
from models import logins
from models.accounts import AccountAction, change_password, deactivate, may
from models.agencies import Agency, Level
from models.directory import DirectoryError, import_rows
from models.errors import DomainError
from models.users import User, UserRole, add_user, find_user, set_role

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/console/admin")


@bp.get("/users")
@access.roles_required(*access.DIRECTORY_ROLES)
def users():
    """Every console user, and a form to add one."""
    rows = db().scalars(select(User).order_by(User.name)).unique().all()
    agencies = db().scalars(select(Agency).order_by(Agency.code)).unique().all()
    creatable = [r for r in UserRole if may(current_user.row, AccountAction.CREATE, role=r)]
    return render_template("users.html", users=rows, roles=creatable, agencies=agencies, can=_can)


def _can(action: str, target: User | None = None, role: str | None = None) -> bool:
    """For the page: whether the user may take `action` (offered only then; checked again on POST)."""
    return may(current_user.row, AccountAction(action), target=target, role=role)


def _allowed(action: AccountAction, target: User | None = None, role: str | None = None) -> None:
    """The 403 page unless the user may take `action` on `target`."""
    if not may(current_user.row, action, target=target, role=role):
        abort(403)


def _target(user_id: int) -> User:
    found = db().get(User, user_id)
    if found is None:
        abort(404)
    return found


@bp.post("/users")
@access.roles_required(*access.DIRECTORY_ROLES)
def create_user():
    """Add a user from the form."""
    form = request.form
    _allowed(AccountAction.CREATE, role=form.get("role", ""))
    try:
        user = add_user(db(), form.get("name", ""), form.get("role", ""), form.get("password", ""),
                        agency_code=form.get("agency") or None, full_name=form.get("full_name", ""))
    except DomainError as exc:
        db().rollback()
        flash(f"کاربر افزوده نشد: {exc}", "error")
    else:
        flash("کاربر افزوده شد.", "ok")
        log.info("console user added", extra={"user": current_user.name, "added": user.name,
                                              "role": user.role})
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
@access.roles_required(*access.DIRECTORY_ROLES)
def set_active(user_id: int):
    """Deactivate (or reactivate) a user; a deactivated user is logged out everywhere at once."""
    user = _target(user_id)
    if user.id == current_user.id:
        flash("حساب خودتان را نمی‌توانید غیرفعال کنید.", "error")
        return redirect(url_for("admin.users"))
    active = request.form.get("active") == "1"
    _allowed(AccountAction.REACTIVATE if active else AccountAction.DEACTIVATE, target=user)
    if active:
        user.active = True
        db().commit()
    else:
        deactivate(db(), user)
    log.info("console user changed", extra={"user": current_user.name, "changed": user.name,
                                            "active": user.active})
    return redirect(url_for("admin.users"))


@bp.post("/users/role")
@access.roles_required(*access.DIRECTORY_ROLES)
def change_role():
    """Give a user another role (an inspector needs their agency)."""
    role = request.form.get("role", "")
    try:
        user = find_user(db(), request.form.get("user", ""))
        if user.id == current_user.id:
            raise DomainError("nobody changes their own role (ask another supervisor)")
        _allowed(AccountAction.CHANGE_ROLE, target=user, role=role)
        set_role(db(), user, role, agency_code=request.form.get("agency") or None)
    except DomainError as exc:
        db().rollback()
        flash(f"نقش تغییر نکرد: {exc}", "error")
    else:
        flash(f"نقش {user.name} تغییر کرد.", "ok")
        log.info("console user changed", extra={"user": current_user.name, "changed": user.name,
                                                "role": user.role})
    return redirect(url_for("admin.users"))


@bp.post("/users/password")
@access.roles_required(*access.DIRECTORY_ROLES)
def set_password():
    """Give another user a new password (one who forgot theirs): every log-in of theirs ends."""
    try:
        user = find_user(db(), request.form.get("user", ""))
        if user.id == current_user.id:
            raise DomainError("your own password is changed on your account page")
        _allowed(AccountAction.SET_PASSWORD, target=user)
        change_password(db(), user, request.form.get("password", ""))
    except DomainError as exc:
        db().rollback()
        flash(f"گذرواژه تغییر نکرد: {exc}", "error")
    else:
        flash(f"گذرواژهٔ {user.name} تغییر کرد و همهٔ ورودهایش پایان یافت.", "ok")
        log.info("console password set", extra={"user": current_user.name, "changed": user.name})
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/logins/end")
@access.roles_required(*access.DIRECTORY_ROLES)
def end_logins(user_id: int):
    """Log a user out everywhere (a lost phone, a shared computer): every log-in of theirs ends."""
    user = _target(user_id)
    _allowed(AccountAction.END_LOGINS, target=user)
    ended = logins.end_all(db(), user.id)
    db().commit()
    flash(f"همهٔ ورودهای {user.name} پایان یافت.", "ok")
    log.info("console user logged out everywhere", extra={"user": current_user.name, "changed": user.name,
                                                          "logins": ended})
    return redirect(url_for("admin.users"))


@bp.get("/directory")
@access.roles_required(*access.DIRECTORY_ROLES)
def directory():
    """The agency directory, ministries first down to county offices, and the CSV import form."""
    top_down = list(Level)  # declared from the ministries down
    # The officials of every agency in one more query, not one per row of the page.
    query = select(Agency).options(selectinload(Agency.officials))
    rows = sorted(db().scalars(query).unique(), key=lambda a: (top_down.index(a.level), a.code))
    return render_template("directory.html", agencies=rows)


@bp.post("/directory")
@access.roles_required(*access.DIRECTORY_ROLES)
def import_directory():
    """Add or update agencies from an uploaded CSV (the columns of `foad agencies import`)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("یک پرونده CSV انتخاب کنید.", "error")
        return redirect(url_for("admin.directory"))
    text = upload.read().decode("utf-8-sig", errors="replace")
    try:
        report = import_rows(db(), csv.DictReader(io.StringIO(text)))
    except DirectoryError as exc:
        db().rollback()
        for problem in exc.problems[:20]:
            flash(problem, "error")
    else:
        flash(f"{report.agencies_added} دستگاه افزوده و {report.agencies_updated} به‌روز شد.", "ok")
    return redirect(url_for("admin.directory"))
