"""Periodic jobs, declared as data, each run once per period however many workers there are.

Every `foad worker` ticks about every TICK seconds (RQ's maintenance hook). A tick
enqueues each periodic job under the id of its current period ("periodic-outbox-relay-
29573412"), with RQ's `unique=True`: the first worker to try wins, atomically in Redis, and
the others' attempts are refused. So several machines on one Redis run each period once,
no machine is special, and a dead one is simply not missed. (RQ's CronScheduler keeps its
timetable in one process's memory and would run every job once per machine.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from redis import Redis
from rq.exceptions import DuplicateJobError

from models.base import utcnow
from worker import calls, clock, outbox, reports, routing, surveys, texting, uploads
from worker.queues import MAINTENANCE, queue

log = logging.getLogger(__name__)

TICK = 10
"""Seconds between a worker's ticks (and its idle wait for jobs)."""
LAST_TICK_KEY = "foad:periodic:last-tick"
"""Redis key: when any worker last ticked (the health check reads it)."""


@dataclass(frozen=True)
class Periodic:
    """A job run every `every` seconds on the maintenance queue."""

    name: str
    """Stable: job ids are made from it, so renaming it resets its schedule."""
    function: Callable[[], object]
    every: int
    """Seconds; a period starts when the Unix time is a multiple of it."""
    timeout: int = 300
    """Seconds before RQ kills a run."""

    def job_id(self, moment: datetime) -> str:
        """The job id of the period `moment` falls in: the same on every machine."""
        return f"periodic-{self.name}-{int(moment.timestamp()) // self.every}"


PERIODIC: tuple[Periodic, ...] = (
    Periodic("outbox-relay", outbox.relay_outbox, every=60),
    Periodic("deadline-sweep", clock.sweep_deadlines, every=60),
    Periodic("triage-wait-sweep", routing.sweep_waits, every=60),
    Periodic("sending-sweep", texting.sweep_sending, every=60),
    Periodic("survey-sweep", surveys.sweep_surveys, every=600),
    Periodic("call-sweep", calls.sweep_calls, every=600),
    Periodic("upload-sweep", uploads.sweep_uploads, every=3600),
    # Half of FOAD_REPORT_MAX_AGE_MINUTES' default (10): a card page then finds this month
    # and the last fresh and reads them, instead of rolling them up itself.
    Periodic("report-cards-recent", reports.refresh_recent_months, every=300),
    # Periods start at 00:00 UTC: 03:30 in Tehran, when the line is quiet.
    Periodic("report-cards-years", reports.refresh_years, every=86400, timeout=1800),
)
"""What runs on a schedule: relay lost outbox work, catch missed deadlines, route tickets
whose wait for an answer is over, settle texts left "sending", close surveys, close calls whose
end was never reported, clear what the web page left behind, roll the report cards up."""


def tick(redis: Redis, now: datetime | None = None) -> list[str]:
    """Enqueue each periodic job not yet enqueued for its current period; their ids."""
    now = now or utcnow()
    enqueued = []
    for job in PERIODIC:
        try:
            queue(redis, MAINTENANCE).enqueue(
                job.function, job_id=job.job_id(now), unique=True, job_timeout=job.timeout,
                # Keep the finished run at least as long as its period, so that the id
                # still blocks late ticks of the same period.
                result_ttl=max(500, 2 * job.every), failure_ttl=86400,
            )
        except DuplicateJobError:
            continue
        enqueued.append(job.job_id(now))
    redis.set(LAST_TICK_KEY, now.timestamp())
    return enqueued

