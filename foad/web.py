"""`foad web`: the Flask app under gunicorn, each gunicorn worker with its own runtime."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from foad.app import create_app
from foad.logs import QuietProbes
from foad.metrics import child_exit
from foad.runtime import make_runtime
from models.settings import Settings


class WebServer(BaseApplication):
    """Gunicorn serving `create_app`, configured from our settings instead of its CLI."""

    def __init__(self, settings: Settings, redis_url: str, *, host: str, port: int, workers: int) -> None:
        self.settings, self.redis_url = settings, redis_url
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            # Twilio gives up after 15 s; a request that slow is a bug, not a load.
            "timeout": 30,
            "accesslog": "-",
            "loglevel": settings.log_level.lower(),
            "child_exit": child_exit,
            # No logconfig_dict: gunicorn's would empty the root logger, and every worker's
            # app logs would lose our format (foad.logs) or be dropped.
        }
        super().__init__()
        logging.getLogger("gunicorn.access").addFilter(QuietProbes())

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in each worker after the fork: the runtime's connections are its own.
        return create_app(make_runtime(self.settings, self.redis_url))
