"""`foad smpp`: one bind to the operator's SMSC, kept until SIGTERM (or SIGINT), then unbound."""

from __future__ import annotations

import logging
import signal
from typing import Callable

from redis import Redis
from sqlalchemy.orm import Session

from models.settings import SmppSettings
from sms.smpp.link import Link

log = logging.getLogger(__name__)


def serve(settings: SmppSettings, sessions: Callable[[], Session], redis: Redis) -> None:
    """Run the link in this process until told to stop; it unbinds cleanly on the way out."""
    link = Link(settings, sessions, redis)

    def _stop(signum: int, _frame: object) -> None:
        log.info("smpp stopping", extra={"signal": signal.Signals(signum).name})
        link.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("smpp starting", extra={"host": settings.host, "port": settings.port,
                                     "system_id": settings.system_id, "window": settings.window,
                                     "tps": settings.tps})
    link.run()
