"""What a job knows of where it runs: the RQ job it is, and which function does which work.

A job's runtime comes from models.runtime (bound by whoever starts the worker). The
functions that do each kind of outbox work belong to several adapters (the SMS channel
answers texts; the workers route, send and text back), so the composition root names them
(foad.jobs) and binds them here with the runtime.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Callable, Iterator, Mapping

from rq import get_current_job

from models.outbox import Job

JobFunction = Callable[..., object]

_functions: dict[str, JobFunction] = {}
_ticket: ContextVar[str | None] = ContextVar("ticket", default=None)


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


def job_id() -> str | None:
    """The id of the RQ job running now, for logs; None outside a job."""
    job = get_current_job()
    return job.id if job else None


@contextlib.contextmanager
def about(ticket_code: str | None) -> Iterator[None]:
    """While a job runs: the tracking code of the ticket its work belongs to, for logs."""
    token = _ticket.set(ticket_code)
    try:
        yield
    finally:
        _ticket.reset(token)


def ticket_code() -> str | None:
    """The tracking code of the ticket the running job's work belongs to (None: no ticket,
    or outside an outbox job), known without loading the ticket."""
    return _ticket.get()
