"""A new complaint: the form, the code texted to the mobile number, and the ticket once the
code is typed back (never before)."""

from __future__ import annotations

import logging

from flask import redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

from citizen import uploads
from citizen.page import bp, check_form, db, language, page, settings, t
from models import choices, phone_checks
from models.errors import Blocked, DomainError, TooManyComplaints
from models.intake import IntakeRules
from models.phone_checks import CheckPurpose
from models.phones import identify, mask
from models.web_complaints import draft, file_confirmed

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MINE = "citizen_mine"
"""Session key: the tracking codes whose complainant this browser confirmed (newest last)."""
KEPT_MINE = 10


@bp.get("/")
def home():
    """The complaint form."""
    return _form(MultiDict(), [])


@bp.post("/complaint")
def complaint():
    """Check the form, keep the files, text a code to the number; then the code's page."""
    check_form()
    form = request.form
    problems = _problems(form)
    try:
        held = uploads.hold(request.files.getlist("files"), settings().media_dir, settings().media_max_bytes)
    except uploads.Refused as refused:
        problems.append(t(refused.key, name=refused.name, mb=_megabytes()))
        held = []
    if problems:
        uploads.discard(settings().media_dir, held)
        return _form(form, problems, files_lost=any(f.filename for f in request.files.getlist("files")), status=400)
    typed = draft(form["service"], form["category"], form.get("province") or None, form["text"], held)

    def refuse(message: str):
        uploads.discard(settings().media_dir, held)
        return _form(form, [message], files_lost=bool(held), status=400)

    return ask_code(CheckPurpose.COMPLAINT, form["mobile"], typed, refuse)


@bp.get("/confirm/<token>")
def confirm_form(token: str):
    """Where the texted code is typed."""
    try:
        check = phone_checks.find(db(), token)
    except DomainError:
        return page("message.html", 404, message=t("err_ended"), again=True)
    return page("confirm.html", check=check, number=mask(check.number))


@bp.post("/confirm/<token>")
def confirm(token: str):
    """The code typed back: the ticket is opened (or the complainant let in), or try again."""
    check_form()
    session_ = db()
    try:
        check = phone_checks.confirm(session_, token, request.form.get("code", ""), settings().secret_key)
    except phone_checks.WrongCode as wrong:
        check = phone_checks.find(session_, token)
        return page("confirm.html", 400, check=check, number=mask(check.number),
                    problem=t("err_wrong_code", tries=wrong.tries_left))
    except phone_checks.CheckEnded:
        return page("message.html", 400, message=t("err_ended"), again=True)
    if check.purpose == CheckPurpose.FOLLOW:
        session_.commit()
        return _mine(check.draft["code"])
    try:
        code = file_confirmed(session_, check, IntakeRules.from_settings(settings())).code
    except DomainError as refused:
        session_.rollback()
        return page("message.html", 400, message=t("err_wait" if isinstance(refused, TooManyComplaints)
                                                    else "err_blocked"))
    return _mine(code, new=1)


def _mine(code: str, new: int | None = None):
    """Remember that this visitor confirmed the complainant's number; then the complaint's page."""
    remember(code)
    return redirect(url_for("citizen.follow", code=code, new=new))


def ask_code(purpose: CheckPurpose, mobile: str, typed: dict, refuse, send: bool = True):
    """Text a code to `mobile` (or only seem to, when `send` is False: a stranger typing a
    number learns nothing of it) and go to the code's page; else `refuse(message)`."""
    asked = phone_checks.Request(purpose, mobile, request.remote_addr, language(), typed)
    try:
        check = phone_checks.start(db(), asked, settings().secret_key, send=send)
    except phone_checks.NotAMobile:
        return refuse(t("err_mobile"))
    except phone_checks.TooManyCodes:
        return refuse(t("err_too_many_codes"))
    except phone_checks.NumberOptedOut:
        return refuse(t("err_opted_out"))
    except Blocked:
        return refuse(t("err_blocked"))
    log.info("phone check started", extra={"check": check.id, "purpose": purpose.value})
    return redirect(url_for("citizen.confirm_form", token=check.token))


def remember(code: str) -> None:
    """Note in the visitor's signed session that they confirmed the complainant's number."""
    mine = [c for c in session.get(MINE, []) if c != code]
    session[MINE] = [*mine, code][-KEPT_MINE:]


def _problems(form: MultiDict[str, str]) -> list[str]:
    session_ = db()
    problems = []
    if form.get("service") not in {c.code for c in choices.services(session_)}:
        problems.append(t("err_service"))
    if form.get("category") not in {c.code for c in choices.categories(session_)}:
        problems.append(t("err_category"))
    if form.get("province") and form["province"] not in {p.code for p in choices.provinces(session_)}:
        problems.append(t("err_province"))
    text = form.get("text", "")
    if not text.strip():
        problems.append(t("err_text"))
    elif len(text) > MAX_TEXT:
        problems.append(t("err_text_long"))
    if identify(form.get("mobile")).kind not in phone_checks.TEXTABLE:
        problems.append(t("err_mobile"))
    return problems


def _form(form: MultiDict[str, str], problems: list[str], files_lost: bool = False, status: int = 200):
    session_ = db()
    return page("form.html", status, form=form, problems=problems, files_lost=files_lost,
                services=choices.services(session_), categories=choices.categories(session_),
                provinces=choices.provinces(session_), mb=_megabytes(), max_text=MAX_TEXT)


def _megabytes() -> str:
    return f"{settings().media_max_bytes / 1_000_000:g}"
