"""`foad web`: the Flask app under gunicorn, each gunicorn worker with its own runtime.

Threaded workers (gthread): a request waiting on its client holds one thread, not a whole
worker, and bodies are read whole within a time before the app runs (foad.request_body), so a
few slow clients cannot stall the app (`/healthz` included). In front of it on the internet,
put a buffering proxy all the same (docs/security.md: nginx's `client_body_timeout`,
`client_max_body_size`).
"""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from foad.app import create_app
from foad.logs import QuietProbes
from foad.metrics import child_exit
from foad.request_body import WholeBodies
from foad.runtime import make_runtime
from models.settings import Settings

ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
"""The access log's line: the path without its query string (searches hold numbers and
names), no referrer (the same), no user agent."""


class WebServer(BaseApplication):
    """Gunicorn serving `create_app`, configured from our settings instead of its CLI."""

    def __init__(self, settings: Settings, redis_url: str, *, host: str, port: int, workers: int,
                 threads: int) -> None:
        self.settings, self.redis_url = settings, redis_url
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # Twilio gives up after 15 s; a request that slow is a bug, not a load.
            "timeout": 30,
            "accesslog": "-",
            "loglevel": settings.log_level.lower(),
            "child_exit": child_exit,
            "access_log_format": ACCESS_LOG_FORMAT,
            # gunicorn's logs through our handler (GunicornLogs), and no logconfig_dict:
            # gunicorn's would empty the root logger, and every worker's app logs would lose
            # our format (foad.logs) or be dropped.
            "logger_class": GunicornLogs,
            # gunicorn's control socket is one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl):
            # a second `foad web` would take it over, and stopping either removes it. None.
            "control_socket_disable": True,
        }
        super().__init__()
        logging.getLogger("gunicorn.access").addFilter(QuietProbes())

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in each worker after the fork: the runtime's connections are its own.
        settings = self.settings
        return WholeBodies(create_app(make_runtime(settings, self.redis_url)),
                           max_bytes=settings.web_max_body_bytes, timeout=settings.web_body_timeout)


class GunicornLogs(Logger):
    """gunicorn's error and access logs through the engine's own handler (foad.logs): one
    format for every line, and phone numbers masked in these too."""

    def setup(self, cfg) -> None:
        """Set up as gunicorn does, then hand every record to the root logger's handler."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.handlers.clear()
            log.propagate = True
        self.access_log.setLevel(logging.INFO)
