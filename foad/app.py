"""The Flask app factory: the SMS webhook, the console, the Open311 API, the citizen page and a
health check in one app."""

from __future__ import annotations

from functools import partial

from flask import Flask
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from citizen.web import init_app as init_citizen
from console.setup import init_app as init_console
from foad import edge, headers
from foad.metrics import init_app as init_metrics
from models.runtime import EXTENSION, Runtime
from open311.api import init_app as init_open311
from sms.webhook import bp as sms_blueprint
from sms.webhook import init_app as init_sms
from worker.reports import request_refresh


def create_app(runtime: Runtime) -> Flask:
    """An app serving with `runtime`'s database and Redis."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=runtime.settings.secret_key, JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=runtime.settings.web_max_body_bytes)
    app.extensions[EXTENSION] = runtime
    # Before any blueprint: their routes take the guarded converters as they are added.
    edge.install(app, cleaning_own_forms=(sms_blueprint.name,))
    headers.install(app)
    hops = runtime.settings.trusted_proxies
    if hops:
        # Behind a TLS proxy: the URL Twilio signed and the client's address, as the proxy
        # saw them; only the last `hops` proxies' headers count, so a client cannot forge them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    init_sms(app)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        runtime.db.remove()

    init_console(app, runtime.settings, partial(request_refresh, runtime.redis))
    init_open311(app)
    init_citizen(app)
    init_metrics(app, runtime)

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        """Whether the database and Redis answer, for load balancers and monitoring."""
        checks = {"database": _check(lambda: runtime.db().execute(text("SELECT 1"))),
                  "redis": _check(runtime.redis.ping)}
        healthy = all(v == "ok" for v in checks.values())
        return checks, 200 if healthy else 503

    return app


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure means "not healthy"; say which
        return f"error: {type(exc).__name__}"
    return "ok"
