"""Faults with real `foad worker` processes: Redis down at intake, a work horse killed mid-job."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from datetime import timedelta
from typing import Iterator

from rq.job import Job as RQJob
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from foad.runtime import Runtime
from models.base import utcnow
from models.messages import Purpose
from models.outbox import OutboxItem, Work
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.builders import make_ticket
from tests.worker.helpers import texts
from tests.worker.processes import running_worker, wait_for, work_horse
from worker.health import check
from worker.outbox import job_id, push, relay
from worker.queues import ROUTING

DEAD_REDIS = "redis://127.0.0.1:1/0"


def status_of(runtime: Runtime, ticket_id: int) -> str:
    with runtime.session() as session:
        return session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))


def referred_events(runtime: Runtime, ticket_id: int) -> int:
    with runtime.session() as session:
        return len(session.scalars(select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind == TicketStatus.REFERRED)).all())


def test_a_ticket_opened_while_redis_is_down_is_routed_once_when_it_returns(
        runtime, settings, session, tmp_path):
    offline = Runtime(settings, DEAD_REDIS)
    with offline.session() as down:
        ticket_id = make_ticket(down).id
    offline.close()
    # Redis stayed down a while: the row is older than the relay's grace period.
    session.execute(update(OutboxItem).values(created_at=utcnow() - timedelta(minutes=2)))
    session.commit()

    with running_worker(settings, tmp_path / "worker.log", "--queues", "routing,maintenance"):
        wait_for(lambda: status_of(runtime, ticket_id) == TicketStatus.REFERRED, what="routing")
        with runtime.session() as again:
            assert relay(again, runtime.redis, grace=timedelta(0)) == 0  # a second relay: nothing
    assert referred_events(runtime, ticket_id) == 1
    assert len(texts(session, session.get(Ticket, ticket_id), Purpose.REFERRAL)) == 1
    log = (tmp_path / "worker.log").read_text()
    code = session.scalar(select(Ticket.code).where(Ticket.id == ticket_id))
    assert f"job started" in log and f"ticket={code}" in log and "rq_job=outbox-1" in log


@contextlib.contextmanager
def ticket_locked(runtime: Runtime, ticket_id: int) -> Iterator[None]:
    """Hold the ticket so that a routing job blocks on it: a row lock on PostgreSQL, the
    write lock on SQLite (whose transactions here all take it first)."""
    if runtime.engine.dialect.name == "sqlite":
        connection = sqlite3.connect(make_url(runtime.settings.database_url).database, timeout=30)
        connection.isolation_level = None
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT id FROM tickets WHERE id = :id FOR UPDATE"), {"id": ticket_id})
        yield
        connection.rollback()


def test_a_work_horse_killed_mid_job_is_run_again_and_the_official_texted_once(
        runtime, settings, session, tmp_path):
    offline = Runtime(settings, DEAD_REDIS)  # so that nothing is queued before the lock is held
    with offline.session() as down:
        ticket = make_ticket(down, sector="banks", province="tehran")
        item = down.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
        work = Work(item.id, item.job, tuple(item.args))
    offline.close()
    with running_worker(settings, tmp_path / "worker.log", "--queues", "routing") as worker:
        wait_for(lambda: check(runtime.redis, (ROUTING,)).workers, what="the worker to start")
        with ticket_locked(runtime, ticket.id):
            push(runtime.redis, [work])
            horse = wait_for(lambda: work_horse(worker.pid), what="the routing job to start")
            os.kill(horse, signal.SIGKILL)
            wait_for(lambda: RQJob.fetch(job_id(item.id), connection=runtime.redis).get_status()
                     == "scheduled", what="RQ to schedule the retry")
        wait_for(lambda: status_of(runtime, ticket.id) == TicketStatus.REFERRED, what="the retry")
    job = RQJob.fetch(job_id(item.id), connection=runtime.redis)
    assert job.get_status() == "finished" and job.retries_left == 3  # one of four retries used
    assert referred_events(runtime, ticket.id) == 1
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert referral.number == "+989970000024"
    assert "Work-horse terminated unexpectedly" in (tmp_path / "worker.log").read_text()
