"""The runtime a worker process was started with, for jobs (which take ids, not objects)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from rq import get_current_job

from models.base import utcnow

if TYPE_CHECKING:
    from foad.runtime import Runtime

_runtime: "Runtime | None" = None


def bind(runtime: "Runtime") -> None:
    """Make `runtime` the one jobs in this process (and its forked work horses) use."""
    global _runtime
    _runtime = runtime


def current() -> "Runtime":
    """The bound runtime, safe to use in a forked work horse."""
    if _runtime is None:
        raise RuntimeError("no runtime bound: jobs run inside `foad worker` (or a test's worker)")
    return _runtime.for_this_process()


def now() -> datetime:
    """The moment jobs act at: the real time, or FOAD_FIXED_NOW in tests and drills."""
    fixed = current().settings.fixed_now
    return fixed.astimezone(timezone.utc) if fixed else utcnow()


def job_id() -> str | None:
    """The id of the RQ job running now, for logs; None outside a job."""
    job = get_current_job()
    return job.id if job else None
