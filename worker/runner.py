"""`foad worker`: an RQ worker on our queues, with RQ's scheduler and the periodic tick."""

from __future__ import annotations

import importlib
import logging

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from sqlalchemy.orm import configure_mappers

from foad.runtime import Runtime
from models import all as _all_models  # noqa: F401  (every mapper known before the fork)
from worker import context, periodic
from worker.outbox import relay
from worker.queues import ALL, JOBS

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


LAZY_IMPORTS = ("twilio.rest.api.v2010.account",)
"""Modules jobs import on first use (the twilio client does, ~30 ms): imported before the
fork so that work horses find them loaded."""


def _import_jobs() -> None:
    for module in LAZY_IMPORTS:
        importlib.import_module(module)
    for path in [spec.function for spec in JOBS.values()] + [p.function for p in periodic.PERIODIC]:
        module = path.rpartition(".")[0]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            log.warning("a job's module is missing; its jobs will fail", extra={"job_module": module})


def run(runtime: Runtime, *, queues: tuple[str, ...] = ALL, burst: bool = False,
        name: str | None = None, fork: bool = True) -> bool:
    """Work the queues until stopped (or, with `burst`, until they are empty)."""
    context.bind(runtime)
    # Import every job's module and configure the mappers once here, not again in every
    # forked work horse (each would pay for it: tens of milliseconds a job).
    _import_jobs()
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
