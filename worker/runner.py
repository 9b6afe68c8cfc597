"""`foad worker`: an RQ worker on our queues, with RQ's scheduler and the periodic tick."""

from __future__ import annotations

import logging
from typing import Mapping

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from sqlalchemy.orm import configure_mappers

from models import all as _all_models  # noqa: F401  (every mapper known before the fork)
from models.outbox import Job
from models.runtime import Runtime, bind
from worker import context, periodic
from worker.context import JobFunction
from worker.outbox import relay
from worker.queues import ALL

log = logging.getLogger(__name__)

WORKER_TTL = periodic.TICK + 15
"""Seconds: RQ waits for jobs WORKER_TTL - 15 seconds at a time, so an idle worker still
ticks every TICK seconds, and a dead one drops out of `foad worker health` soon."""


class Ticking:
    """Mixed into RQ's workers: tick the periodic jobs from RQ's maintenance hook."""

    def run_maintenance_tasks(self) -> None:
        """Tick the periodic jobs, then RQ's own upkeep (registries, the scheduler's lock)."""
        try:
            periodic.tick(self.connection)
        except RedisError as exc:
            log.warning("periodic tick failed", extra={"worker": self.name, "error": str(exc)})
        super().run_maintenance_tasks()  # type: ignore[misc]


class FoadWorker(Ticking, Worker):
    """RQ's worker: a forked work horse per job, so a crash or a leak dies with the horse."""


class FoadSimpleWorker(Ticking, SimpleWorker):
    """RQ's worker that runs jobs in its own process: no fork per job, warm connections."""


def run(runtime: Runtime, functions: Mapping[Job, JobFunction], *, queues: tuple[str, ...] = ALL,
        burst: bool = False, name: str | None = None, fork: bool = True) -> bool:
    """Work the queues until stopped (or, with `burst`, until they are empty), with
    `functions` doing each kind of outbox work."""
    bind(runtime)
    context.bind_jobs(functions)
    # Configure the mappers once here, not again in every forked work horse (each would
    # pay for it: tens of milliseconds a job).
    configure_mappers()
    if runtime.settings.fixed_now:
        log.warning("FOAD_FIXED_NOW is set: every job acts as if it were always this moment, so "
                    "no deadline ever passes; unset it outside tests and drills",
                    extra={"fixed_now": runtime.settings.fixed_now.isoformat()})
    with runtime.session() as session:
        relay(session, runtime.redis)
    worker_class = FoadWorker if fork else FoadSimpleWorker
    worker = worker_class(list(queues), connection=runtime.redis, name=name,
                        maintenance_interval=periodic.TICK, worker_ttl=WORKER_TTL)
    log.info("worker starting", extra={"queues": ",".join(queues), "worker": worker.name, "fork": fork})
    return worker.work(burst=burst, with_scheduler=True, logging_level=runtime.settings.log_level)
