"""Plugging the console into the Flask app: blueprints, log-in, CSRF, error pages, filters."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from console import (
    account,
    admin,
    audit,
    auth,
    calls,
    list_actions,
    mentions,
    public,
    replay,
    reports,
    sessions,
    ticket_actions,
    tickets,
    triage,
    view,
)
from console.runtime import AskRollup, init_ask_rollup, runtime
from models.base import utcnow
from models.settings import Settings

csrf = CSRFProtect()

# Templates and the small CSS/JS the console ships (nothing is fetched from elsewhere).
assets = Blueprint("console_assets", __name__, template_folder="templates",
                   static_folder="static", static_url_path="/console/static")

BLUEPRINTS = (assets, auth.bp, account.bp, tickets.bp, ticket_actions.bp, list_actions.bp, mentions.bp, calls.bp,
              replay.bp, audit.bp, reports.bp, public.bp, admin.bp, triage.bp)
CONSOLE_PREFIXES = ("/console",)
"""Where forms are checked for a CSRF token (the SMS webhook is signed by Twilio instead)."""
PUBLIC_PREFIXES = ("/reports",)
"""The public report cards: their error pages lead back to them, not into the console."""
PAGES = (*CONSOLE_PREFIXES, *PUBLIC_PREFIXES)
"""Where errors get the console's Persian pages."""
SERVER_ERROR_TEXT = "خطایی در سامانه رخ داد و ثبت شد؛ کمی بعد دوباره بکوشید."
"""The 500 answer when even the error page cannot be drawn."""


def init_app(app: Flask, settings: Settings, ask_rollup: AskRollup) -> None:
    """Register the console on `app`; its card pages ask the workers for roll-ups with `ask_rollup`."""
    init_ask_rollup(app, ask_rollup)
    app.config.update(
        PERMANENT_SESSION_LIFETIME=settings.console_session,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        # Checked by the console's own hook below, not on every POST of the app.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session does
    )
    app.session_interface = sessions.ConsoleSessionInterface()
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(_before_console_request)
    view.register_filters(app)
    app.context_processor(_template_globals)
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(CSRFError, _csrf_failed)


def _template_globals() -> dict:
    """What every page may ask: the server's time (the countdowns run on the server's clock,
    console.js keeps the offset) and the user's unread mentions (the menu shows them)."""
    return {"server_now": lambda: utcnow().isoformat(), "unread_mentions": mentions.unread_count}


def _before_console_request():
    """Check the CSRF token of a console form (the SMS webhook and the public cards keep no
    session)."""
    if not request.path.startswith(CONSOLE_PREFIXES):
        return None
    return _check_csrf() if request.method == "POST" else None


def _check_csrf():
    if not current_user.is_authenticated and request.endpoint != "auth.login":
        # The session, and the CSRF token in it, ended while the form was open: a "form
        # expired" page would lose what was typed. Log in, then back to the form's page,
        # where console.js puts the draft back. Nothing is done for a logged-out POST.
        return auth.to_log_in(_form_page(), auth.SESSION_ENDED)
    csrf.protect()
    return None


def _form_page() -> str:
    """The page the form was sent from (the Referer, when it is this site's), else home."""
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and came_from.path.startswith(CONSOLE_PREFIXES):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return url_for("tickets.home")


def _error_page(error):
    """A real page for "bad request", "not allowed", "not found", "not like that" and "too
    large" in the console and on the public cards, never a blank one."""
    if not request.path.startswith(PAGES):
        return error  # other parts of the app (the SMS webhook) keep werkzeug's answer
    return _render_error(error.code)


def _server_error(error):
    """A Persian page for a fault (Flask has logged it with its traceback)."""
    if not request.path.startswith(PAGES):
        return error
    scoped = runtime().db
    try:
        if scoped.registry.has():
            scoped.rollback()  # a failed transaction must not fail the page that says so
        return _render_error(500)
    except Exception:  # noqa: BLE001  (the page itself needed what failed, say the database)
        return Response(SERVER_ERROR_TEXT, 500, mimetype="text/plain")


def _render_error(code: int):
    public = request.path.startswith(PUBLIC_PREFIXES)
    return render_template("error.html", code=code, public=public), code


def _csrf_failed(_error: CSRFError):
    return render_template("error.html", code=400, csrf=True), 400
