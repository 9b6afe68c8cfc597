"""Whether the running job gets another try if it fails: jobs give up visibly on the last."""

from __future__ import annotations

from rq import get_current_job

from worker import context


def is_last() -> bool:
    """True when RQ will not retry the running job (or it runs outside RQ). Work riding
    with another job is on its first attempt: a failure queues it with its retries."""
    if context.riding():
        return False
    job = get_current_job()
    return job is None or not job.should_retry
