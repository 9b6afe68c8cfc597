"""`foad worker`: an RQ worker on our queues, with RQ's scheduler and the periodic tick.

Two ways to run jobs. The default runs them in the worker's own process (RQ's SimpleWorker:
warm database and Redis connections, no fork per job), with RQ's job timeouts still
enforced (SIGALRM), in a child that a warm parent replaces after `max_jobs` jobs, once it
holds more than `max_memory_mb`, after a job timed out, or when a job killed it. `fork`
gives each job a work horse of its own (RQ's Worker): full isolation, ~50 ms of CPU a job.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import signal
import time
from typing import Callable, Mapping, NoReturn

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from rq.exceptions import StopRequested
from rq.job import Job as RQJob
from rq.timeouts import JobTimeoutException
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
MAX_JOBS = 2000
"""Jobs an in-process worker runs before a fresh one takes over (a slow leak stays small)."""
MAX_MEMORY_MB = 400
"""Resident megabytes past which an in-process worker hands over after its current job."""
RECYCLE = 75
"""Exit code of an in-process worker that handed over (EX_TEMPFAIL): its parent starts the next."""
RESPAWN_DELAY = 1.0
"""Seconds before a worker killed by a signal (a job crashed it, the OOM killer) is replaced."""
BEAT_EVERY = 5.0
"""Seconds: a worker's heartbeat is sent at most this often unless its keys need a longer life."""
PR_SET_PDEATHSIG = 1
"""Linux prctl(2): the signal a process gets when its parent dies."""
LISTENER_JOIN = 1.0
"""Seconds a stopping worker waits for its command listener's thread (a daemon) to end."""


class Ticking:
    """Mixed into RQ's workers: tick the periodic jobs from RQ's maintenance hook."""

    def run_maintenance_tasks(self) -> None:
        """Tick the periodic jobs, then RQ's own upkeep (registries, the scheduler's lock)."""
        try:
            periodic.tick(self.connection)
        except RedisError as exc:
            log.warning("periodic tick failed", extra={"worker": self.name, "error": str(exc)})
        super().run_maintenance_tasks()  # type: ignore[misc]


class Beating:
    """Mixed into RQ's workers: RQ's bookkeeping without its repeats. RQ beats (three
    commands) five or six times a job, writes the same state twice and asks whether workers
    are suspended (`rq suspend`) before every job. Here a beat is sent only when the last
    one is older than BEAT_EVERY or would let the worker's keys expire more than BEAT_EVERY
    sooner than asked, a state only when it changed, and the question at most every
    BEAT_EVERY: ~25 Redis commands a job fewer. `foad worker health` sees a busy worker's
    beat at most BEAT_EVERY older, and a suspension takes at most BEAT_EVERY longer."""

    _beaten_at: float = -math.inf
    _alive_until: float = -math.inf
    _asked_at: float = -math.inf

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ's beat, unless a recent one keeps the worker's keys alive as long."""
        lasting = timeout or self.worker_ttl + 60  # type: ignore[attr-defined]
        now = time.monotonic()
        if now - self._beaten_at < BEAT_EVERY and now + lasting <= self._alive_until + BEAT_EVERY:
            return
        super().heartbeat(lasting, pipeline)  # type: ignore[misc]
        self._beaten_at, self._alive_until = now, now + lasting

    def check_for_suspension(self, burst: bool) -> None:
        """RQ's wait while workers are suspended, asked at most every BEAT_EVERY."""
        now = time.monotonic()
        if now - self._asked_at >= BEAT_EVERY:
            super().check_for_suspension(burst)  # type: ignore[misc]
            self._asked_at = time.monotonic()

    def set_state(self, state: str, pipeline=None) -> None:
        """RQ's state, written only when it changed."""
        if state != self.get_state():  # type: ignore[attr-defined]
            super().set_state(state, pipeline)  # type: ignore[misc]


class Unsubscribing:
    """Mixed into RQ's workers: the listener on the worker's command channel ended without
    a minute's wait. RQ unsubscribes, then stops the listener's thread and joins it; when the
    thread read Redis's reply to the unsubscribe before its stop flag was down (likelier on a
    loaded machine), it goes back to waiting up to RQ's 60 s for a subscription, and redis-py 8
    joins it without a timeout: a worker's stop or hand-over took a minute. Here the flag goes
    down first, so the reply ends the thread, and the join is bounded either way."""

    def unsubscribe(self) -> None:
        """Stop listening for RQ's commands (`rq` shutdown, stop-job) and close the listener."""
        thread = self.pubsub_thread  # type: ignore[attr-defined]
        if not thread:
            return
        thread.stop(timeout=0)  # its flag down, nothing waited for yet (redis-py >= 8.2: setup.cfg)
        with contextlib.suppress(RedisError):
            self.pubsub.unsubscribe()  # type: ignore[attr-defined]  # the reply wakes the thread
        thread.join(LISTENER_JOIN)
        self.pubsub.close()  # type: ignore[attr-defined]


class FoadWorker(Ticking, Beating, Unsubscribing, Worker):
    """RQ's worker: a forked work horse per job, so a crash or a leak dies with the horse."""


class FoadSimpleWorker(Ticking, Beating, Unsubscribing, SimpleWorker):
    """RQ's worker that runs jobs in its own process: no fork per job, warm connections.
    It stops (to be replaced) after `max_jobs` jobs, past `max_memory_mb`, or after a
    job timed out (SIGALRM may have cut a database conversation short)."""

    max_jobs: int = MAX_JOBS
    max_memory_mb: int = MAX_MEMORY_MB
    recycled: bool = False
    jobs_run: int = 0

    def execute_job(self, job: RQJob, queue) -> None:
        """Run the job here, then hand over if this process has done its share."""
        super().execute_job(job, queue)
        self.jobs_run += 1
        if self.jobs_run >= self.max_jobs or resident_mb() > self.max_memory_mb:
            self._hand_over("its share of jobs done or its memory grown")

    def request_stop(self, signum, frame) -> None:
        """RQ's warm shutdown, which the job running now hears of (worker.context.stop_asked)."""
        context.ask_to_stop()
        super().request_stop(signum, frame)

    def handle_exception(self, job: RQJob, *exc_info) -> None:
        """RQ's exception handlers; a timed-out job also makes this process hand over."""
        if exc_info and exc_info[0] is not None and issubclass(exc_info[0], JobTimeoutException):
            self._hand_over("a job timed out")
        super().handle_exception(job, *exc_info)

    def _hand_over(self, why: str) -> None:
        if not self.recycled:
            log.info("worker hands over to a fresh process",
                     extra={"worker": self.name, "jobs": self.jobs_run, "why": why,
                            "resident_mb": round(resident_mb())})
        self.recycled = True
        self._stop_requested = True  # RQ's loop ends after this job


def resident_mb() -> float:
    """This process's resident memory in megabytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def run(runtime: Runtime, functions: Mapping[Job, JobFunction], *, queues: tuple[str, ...] = ALL,
        burst: bool = False, name: str | None = None, fork: bool = False,
        max_jobs: int = MAX_JOBS, max_memory_mb: int = MAX_MEMORY_MB) -> bool:
    """Work the queues until stopped (or, with `burst`, until they are empty), with
    `functions` doing each kind of outbox work; in-process unless `fork`. True when the
    worker ended cleanly."""
    _prepare(runtime, functions)
    if fork:
        _work(runtime, FoadWorker(list(queues), connection=runtime.redis, name=name,
                                  maintenance_interval=periodic.TICK, worker_ttl=WORKER_TTL), burst)
        return True

    def child(generation: int) -> int:
        rt = runtime.for_this_process()
        worker = FoadSimpleWorker(list(queues), connection=rt.redis, name=_named(name, generation),
                                  maintenance_interval=periodic.TICK, worker_ttl=WORKER_TTL)
        worker.max_jobs, worker.max_memory_mb = max_jobs, max_memory_mb
        try:
            _work(rt, worker, burst)
        except StopRequested:  # SIGTERM while it was already stopping: RQ raises it outside its loop
            return 0
        return RECYCLE if worker.recycled else 0

    # The parent only forks and waits: it keeps no connection for the children to share.
    runtime.engine.dispose()
    runtime.redis.connection_pool.disconnect()
    return _supervise(child)


def _prepare(runtime: Runtime, functions: Mapping[Job, JobFunction]) -> None:
    """Bind the jobs' runtime and functions, load every mapper once, relay the outbox."""
    bind(runtime)
    context.bind_jobs(functions)
    # Configure the mappers once here, not again in every work horse or fresh worker (each
    # would pay for it: tens of milliseconds).
    configure_mappers()
    if runtime.settings.fixed_now:
        log.warning("FOAD_FIXED_NOW is set: every job acts as if it were always this moment, so "
                    "no deadline ever passes; unset it outside tests and drills",
                    extra={"fixed_now": runtime.settings.fixed_now.isoformat()})
    with runtime.session() as session:
        relay(session, runtime.redis)


def _work(runtime: Runtime, worker: Worker, burst: bool) -> None:
    log.info("worker starting", extra={"queues": ",".join(worker.queue_names()), "worker": worker.name,
                                       "fork": isinstance(worker, FoadWorker)})
    worker.work(burst=burst, with_scheduler=True, logging_level=runtime.settings.log_level)


def _named(name: str | None, generation: int) -> str | None:
    """The RQ name of a generation: a killed one's name stays registered a while."""
    return name if name is None or generation == 0 else f"{name}.{generation}"


def _supervise(child_work: Callable[[int], int]) -> bool:
    """Fork a worker, pass SIGTERM and SIGINT on to it, and fork the next when it hands
    over or a signal killed it; True when the last one ended cleanly."""
    stopping, child, generation, me = False, 0, 0, os.getpid()

    def _pass_on(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child:
            os.kill(child, signum)

    signal.signal(signal.SIGTERM, _pass_on)
    signal.signal(signal.SIGINT, _pass_on)
    while not stopping:
        child = os.fork()
        if child == 0:
            _child_exit(child_work, generation, me)
        if stopping:  # the signal came before `child` was set: pass it on now
            os.kill(child, signal.SIGTERM)
        status = os.waitpid(child, 0)[1]
        # What the worker started (RQ's scheduler) must not outlive it: a killed worker's
        # scheduler would keep its locks alive, and the next worker would run none.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child, signal.SIGKILL)
        generation += 1
        if os.WIFSIGNALED(status) and not stopping:
            log.error("worker killed by a signal, starting another",
                      extra={"signal": os.WTERMSIG(status), "pid": child})
            time.sleep(RESPAWN_DELAY)
        elif stopping or os.waitstatus_to_exitcode(status) != RECYCLE:
            # A worker stopped while it handed over has ended cleanly too.
            return os.waitstatus_to_exitcode(status) in (0, RECYCLE)
    return True  # stopped between two workers


def _child_exit(child_work: Callable[[int], int], generation: int, parent: int) -> NoReturn:
    """In the forked child: RQ's own signal handling, the work, then exit at once. It leads
    a process group of its own, with the scheduler it starts."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _stop_with(parent)
    code = 1
    try:
        code = child_work(generation)
    except BaseException:
        log.exception("worker failed")
    finally:
        logging.shutdown()
        os._exit(code)


def _stop_with(parent: int) -> None:
    """Have Linux send this process SIGTERM (RQ's warm shutdown) if its parent dies (killed
    with SIGKILL, it could pass nothing on): no worker runs on unsupervised. Elsewhere, nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
