"""Plugging the console into the Flask app: blueprints, log-in, CSRF, error pages, filters."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from console import admin, audit, auth, calls, public, replay, reports, ticket_actions, tickets, view
from foad.settings import Settings

csrf = CSRFProtect()

# Templates and the small CSS/JS the console ships (nothing is fetched from elsewhere).
assets = Blueprint("console_assets", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/console/static")

BLUEPRINTS = (assets, auth.bp, tickets.bp, ticket_actions.bp, calls.bp, replay.bp, audit.bp,
              reports.bp, public.bp, admin.bp)
CONSOLE_PREFIXES = ("/console",)
"""Where forms are checked for a CSRF token (the SMS webhook is signed by Twilio instead)."""


def init_app(app: Flask, settings: Settings) -> None:
    """Register the console on `app`."""
    app.config.update(
        PERMANENT_SESSION_LIFETIME=settings.console_session,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        # Checked by the console's own hook below, not on every POST of the app.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session does
    )
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(_check_csrf)
    view.register_filters(app)
    for code in (403, 404):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_failed)


def _check_csrf() -> None:
    if request.method == "POST" and request.path.startswith(CONSOLE_PREFIXES):
        csrf.protect()


def _error_page(error):
    """A real page for "not allowed" and "not found" in the console, never a blank one."""
    if not request.path.startswith((*CONSOLE_PREFIXES, "/reports")):
        return error  # other parts of the app (the SMS webhook) keep werkzeug's answer
    return render_template("error.html", code=error.code), error.code


def _csrf_failed(_error: CSRFError):
    return render_template("error.html", code=400, csrf=True), 400
