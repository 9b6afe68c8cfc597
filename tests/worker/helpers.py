"""Helpers for the worker tests: tickets opened at a time, RQ's scheduled jobs, sent texts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.intake import Complaint, IntakeRules, open_ticket
from models.messages import Direction, Message
from models.persian import TEHRAN
from models.runtime import Runtime
from models.tickets import Ticket, Via
from tests.builders import NEUTRAL
from worker.queues import ALL, MAINTENANCE, ROUTING, queue

JOBS_BUT_SENDING = (ROUTING, MAINTENANCE)
"""Queues whose jobs these tests run; sending (the notifications queue) is tested end to end."""


def tehran(*parts: int) -> datetime:
    """A moment given in Tehran time: tehran(2026, 11, 28, 9, 0)."""
    return datetime(*parts, tzinfo=TEHRAN)


def open_at(session: Session, moment: datetime, **overrides: Any) -> Ticket:
    """A ticket opened through the intake service at `moment` (SMS from a mobile by default)."""
    fields: dict[str, Any] = {"via": Via.SMS, "caller": "09121234567",
                              "text": NEUTRAL}
    fields.update(overrides)
    return open_ticket(session, Complaint(**fields), IntakeRules(max_per_hour=1000), now=moment).ticket


def scheduled(runtime: Runtime) -> dict[str, datetime]:
    """Every job waiting in RQ's scheduled registries, by id, with its time (one read of
    each registry: ids and times together)."""
    found = {}
    for name in ALL:
        key = ScheduledJobRegistry(name, connection=runtime.redis).key
        for job_id, score in runtime.redis.zrange(key, 0, -1, withscores=True):
            found[job_id.decode()] = datetime.fromtimestamp(score, timezone.utc)
    return found


def release(runtime: Runtime, until: datetime) -> list[str]:
    """Do what RQ's scheduler does when the clock reaches `until`: queue the jobs due by then."""
    released = []
    for name in ALL:
        registry = ScheduledJobRegistry(name, connection=runtime.redis)
        for job_id in registry.get_jobs_to_schedule(int(until.timestamp())):
            job = Job.fetch(job_id, connection=runtime.redis)
            registry.remove(job)
            queue(runtime.redis, name).enqueue_job(job)
            released.append(job_id)
    return released


def texts(session: Session, ticket: Ticket | None = None, purpose: str | None = None) -> list[Message]:
    """Outbound messages, oldest first, optionally for one ticket and purpose."""
    query = select(Message).where(Message.direction == Direction.OUT).order_by(Message.id)
    if ticket is not None:
        query = query.where(Message.ticket_id == ticket.id)
    if purpose is not None:
        query = query.where(Message.purpose == purpose)
    found = list(session.scalars(query.execution_options(populate_existing=True)))
    session.commit()  # end the read: on SQLite it holds the write lock jobs need
    return found
