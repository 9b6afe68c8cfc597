"""What a job knows of where it runs: the RQ job it is, and which function does which work.

A job's runtime comes from models.runtime (bound by whoever starts the worker). The
functions that do each kind of outbox work belong to several adapters (the SMS channel
answers texts; the workers route, send and text back), so the composition root names them
(foad.jobs) and binds them here with the runtime.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from rq import get_current_job

from models.outbox import Job

JobFunction = Callable[..., object]

_functions: dict[str, JobFunction] = {}


def bind_jobs(functions: Mapping[Job, JobFunction]) -> None:
    """Make `functions` the ones this process's outbox jobs call, by kind of work."""
    _functions.clear()
    _functions.update({job.value: function for job, function in functions.items()})


def function_of(job: str) -> JobFunction:
    """The function doing outbox work of kind `job`."""
    try:
        return _functions[job]
    except KeyError:
        raise RuntimeError(f"no function bound for {job!r} work: workers start with foad.jobs") from None


_stop_asked = threading.Event()


def ask_to_stop() -> None:
    """The worker running this process's jobs was asked to stop (SIGTERM): RQ lets the job
    running now finish, and a long one (a drain) should leave what it has not begun."""
    _stop_asked.set()


def stop_asked() -> bool:
    """True once this process's worker was asked to stop."""
    return _stop_asked.is_set()


def job_id() -> str | None:
    """The id of the RQ job running now (for outbox work riding with another job, the id
    its own job has), for logs and claims; None outside a job."""
    work = _running.get()
    if work is not None:
        return work.rq_job
    job = get_current_job()
    return job.id if job else None


def waited() -> float | None:
    """Seconds the running RQ job waited in its queue, from enqueued (or a retry's
    re-enqueue) to started; None outside a job."""
    job = get_current_job()
    if job is None or job.enqueued_at is None or job.started_at is None:
        return None
    return (job.started_at - job.enqueued_at).total_seconds()


@dataclass(frozen=True)
class Running:
    """The outbox work running now: its RQ job id, its ticket's code, and whether it rides
    with another job (its first attempt, outside RQ's retry count)."""

    rq_job: str
    ticket: str | None
    riding: bool = False


_running: ContextVar[Running | None] = ContextVar("running", default=None)


@contextlib.contextmanager
def running(work: Running) -> Iterator[None]:
    """While a piece of outbox work runs: what `job_id`, `ticket_code` and `riding` say."""
    token = _running.set(work)
    try:
        yield
    finally:
        _running.reset(token)


def ticket_code() -> str | None:
    """The tracking code of the ticket the running outbox work belongs to (None: no ticket,
    or no outbox work running), known without loading the ticket."""
    work = _running.get()
    return work.ticket if work else None


def riding() -> bool:
    """True while outbox work runs riding with another job."""
    work = _running.get()
    return work is not None and work.riding
