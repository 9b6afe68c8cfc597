"""`foad worker`: RQ workers on our queues, with RQ's scheduler, after relaying the outbox."""

from __future__ import annotations

import logging

from rq import Worker
from sqlalchemy.orm import configure_mappers

from foad.runtime import Runtime
from models import all as _all_models  # noqa: F401  (every mapper known before the fork)
from worker import context
from worker.outbox import relay
from worker.queues import ALL

log = logging.getLogger(__name__)


def run(runtime: Runtime, *, queues: tuple[str, ...] = ALL, burst: bool = False,
        name: str | None = None) -> None:
    """Work the queues until stopped (or, with `burst`, until they are empty)."""
    context.bind(runtime)
    # Configure mappers once here, not in every forked work horse.
    configure_mappers()
    with runtime.session() as session:
        relay(session, runtime.redis)
    worker = Worker(list(queues), connection=runtime.redis, name=name)
    log.info("worker starting", extra={"queues": ",".join(queues), "worker": worker.name})
    worker.work(burst=burst, with_scheduler=True, logging_level=runtime.settings.log_level)
