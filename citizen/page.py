"""The page's blueprint and what every step shares: language, form tokens, database session."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import Session
from wtforms.validators import ValidationError

from citizen.texts import word
from models.persian import jalali, persian_digits
from models.runtime import runtime_of
from models.settings import Settings
from models.tracking import for_reading, spaced

bp = Blueprint("citizen", __name__, template_folder="templates", static_folder="static",
               static_url_path="/citizen/static")
LANGUAGE = "citizen_language"
"""Session key: the page's language once a visitor chose it (Persian until then)."""


@bp.before_request
def _language() -> None:
    chosen = request.args.get("lang")
    if chosen in ("fa", "en"):
        session[LANGUAGE] = chosen


@bp.app_template_global()
def language() -> str:
    """The page's language: fa unless the visitor asked for en."""
    return session.get(LANGUAGE, "fa")


@bp.app_template_global()
def t(key: str, **values: object) -> str:
    """A text of the page in its language."""
    return word(key, language(), **values)


@bp.app_template_global()
def code_for_people(code: str) -> str:
    """A tracking code as a person reads it: grouped, in Persian digits for Persian."""
    return for_reading(code) if language() == "fa" else spaced(code)


@bp.app_template_global()
def moment(at) -> str:
    """A time as a person reads it: Jalali in Persian."""
    return jalali(at) if language() == "fa" else jalali(at, digits="en")


@bp.app_template_global()
def digits(value: object) -> str:
    """A number in the page's digits."""
    return persian_digits(value) if language() == "fa" else str(value)


def check_form() -> None:
    """Refuse a form without this visitor's token (400, a page saying to reload)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)


def page(template: str, http_status: int = 200, **values: object):
    """A page of the citizen site."""
    return render_template(f"citizen/{template}", **values), http_status


def settings() -> Settings:
    """The app's settings."""
    return runtime_of(current_app).settings


def db() -> Session:
    """The request's session (the app ends it when the request ends)."""
    return runtime_of(current_app).db()


@bp.errorhandler(400)
def _bad_form(_error):
    return page("message.html", 400, message=t("err_form"))
