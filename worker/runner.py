"""`foad worker`: an RQ worker on our queues, with RQ's scheduler and the periodic tick."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.orm import configure_mappers

from foad.runtime import Runtime
from models import all as _all_models  # noqa: F401  (every mapper known before the fork)
from worker import context, periodic
from worker.outbox import relay
from worker.queues import ALL

log = logging.getLogger(__name__)

WORKER_TTL = periodic.TICK + 15
"""Seconds: RQ waits for jobs WORKER_TTL - 15 seconds at a time, so an idle worker still
ticks every TICK seconds, and a dead one drops out of `foad worker health` soon."""


class FoadWorker(Worker):
    """RQ's forking worker, which also ticks the periodic jobs from its maintenance hook."""

    def run_maintenance_tasks(self) -> None:
        """Tick the periodic jobs, then RQ's own upkeep (registries, the scheduler's lock)."""
        try:
            periodic.tick(self.connection)
        except RedisError as exc:
            log.warning("periodic tick failed", extra={"worker": self.name, "error": str(exc)})
        super().run_maintenance_tasks()


def run(runtime: Runtime, *, queues: tuple[str, ...] = ALL, burst: bool = False,
        name: str | None = None) -> bool:
    """Work the queues until stopped (or, with `burst`, until they are empty)."""
    context.bind(runtime)
    # Configure mappers once here, not in every forked work horse.
    configure_mappers()
    with runtime.session() as session:
        relay(session, runtime.redis)
    worker = FoadWorker(list(queues), connection=runtime.redis, name=name,
                        maintenance_interval=periodic.TICK, worker_ttl=WORKER_TTL)
    log.info("worker starting", extra={"queues": ",".join(queues), "worker": worker.name})
    return worker.work(burst=burst, with_scheduler=True, logging_level=runtime.settings.log_level)
