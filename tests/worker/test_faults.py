"""Faults end to end: real `foad worker` processes, the real twilio client and a local
Twilio-compatible server; Redis down at intake, a killed work horse, provider failures."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from datetime import timedelta
from typing import Iterator

from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from foad.runtime import Runtime
from models.base import utcnow
from models.messages import Message, MessageStatus, Purpose
from models.outbox import OutboxItem, Work
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.builders import make_ticket
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.peers.twilio_api import FROM_NUMBER
from tests.worker.helpers import texts
from tests.worker.processes import running_worker, wait_for, work_horse
from worker.health import check
from worker.outbox import job_id, push, relay
from worker.queues import NOTIFICATIONS, ROUTING, queue

DEAD_REDIS = "redis://127.0.0.1:1/0"
HEAD_OF_BANKS_TEHRAN = "+989970000024"


def provider_env(api) -> dict[str, str]:
    """What an operator sets to send through Twilio (here: the local server)."""
    return {"TWILIO_ACCOUNT_SID": api.account_sid, "TWILIO_AUTH_TOKEN": api.auth_token,
            "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": api.base_url,
            "TWILIO_HTTP_TIMEOUT": "0.5"}


def to(api, number: str) -> list[str]:
    """The bodies the provider accepted for `number`."""
    return [m.body for m in api.messages if m.to == number]


def status_of(runtime: Runtime, ticket_id: int) -> str:
    with runtime.session() as session:
        return session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))


def referred_events(runtime: Runtime, ticket_id: int) -> int:
    with runtime.session() as session:
        return len(session.scalars(select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind == TicketStatus.REFERRED)).all())


def test_a_ticket_opened_while_redis_is_down_is_routed_once_when_it_returns(
        runtime, settings, session, tmp_path, twilio_api):
    offline = Runtime(settings, DEAD_REDIS)
    with offline.session() as down:
        ticket_id = make_ticket(down, sector="banks", province="tehran").id
    offline.close()
    # Redis stayed down a while: the row is older than the relay's grace period.
    session.execute(update(OutboxItem).values(created_at=utcnow() - timedelta(minutes=2)))
    session.commit()

    with running_worker(settings, tmp_path / "worker.log", **provider_env(twilio_api)):
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="the official's SMS")
        with runtime.session() as again:
            assert relay(again, runtime.redis, grace=timedelta(0)) == 0  # a second relay: nothing
    assert referred_events(runtime, ticket_id) == 1
    assert len(to(twilio_api, HEAD_OF_BANKS_TEHRAN)) == 1
    log = (tmp_path / "worker.log").read_text()
    code = session.scalar(select(Ticket.code).where(Ticket.id == ticket_id))
    assert "job started" in log and f"ticket={code}" in log and "rq_job=outbox-1" in log


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
        runtime, settings, session, tmp_path, twilio_api):
    offline = Runtime(settings, DEAD_REDIS)  # so that nothing is queued before the lock is held
    with offline.session() as down:
        ticket = make_ticket(down, sector="banks", province="tehran")
        item = down.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
        work = Work(item.id, item.job, tuple(item.args))
    offline.close()
    # Not the maintenance queue: the only work horse must be the routing job's.
    with running_worker(settings, tmp_path / "worker.log", "--queues", "routing,notifications",
                        **provider_env(twilio_api)) as worker:
        wait_for(lambda: check(runtime.redis, (ROUTING,)).workers, what="the worker to start")
        with ticket_locked(runtime, ticket.id):
            push(runtime.redis, [work])
            horse = wait_for(lambda: work_horse(worker.pid), what="the routing job to start")
            os.kill(horse, signal.SIGKILL)
            wait_for(lambda: RQJob.fetch(job_id(item.id), connection=runtime.redis).get_status()
                     == "scheduled", what="RQ to schedule the retry")
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="the retry and its SMS")
    job = RQJob.fetch(job_id(item.id), connection=runtime.redis)
    assert job.get_status() == "finished" and job.retries_left == 3  # one of four retries used
    assert referred_events(runtime, ticket.id) == 1
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1
    assert len(to(twilio_api, HEAD_OF_BANKS_TEHRAN)) == 1
    assert "Work-horse terminated unexpectedly" in (tmp_path / "worker.log").read_text()


def send_job(runtime: Runtime, ticket_id: int) -> RQJob | None:
    """The RQ job sending the official's referral SMS, once routing has written it."""
    with runtime.session() as session:
        message = session.scalar(select(Message.id).where(
            Message.ticket_id == ticket_id, Message.purpose == Purpose.REFERRAL))
        found = session.scalar(select(OutboxItem.id).where(OutboxItem.key == f"send_sms:{message}"))
    with contextlib.suppress(NoSuchJobError):  # written, not pushed yet
        return RQJob.fetch(job_id(found), connection=runtime.redis) if found else None
    return None


def retry_scheduled_in(runtime: Runtime, ticket_id: int) -> float | None:
    """Seconds until RQ runs the send again, once the job waits out its backoff."""
    job = send_job(runtime, ticket_id)
    if job is None or job.get_status() != "scheduled":
        return None
    registry = ScheduledJobRegistry(NOTIFICATIONS, connection=runtime.redis)
    return (registry.get_scheduled_time(job.id) - utcnow()).total_seconds()


def test_provider_500_and_timeout_are_retried_with_backoff_and_one_sms_is_sent(
        runtime, settings, session, tmp_path, twilio_api):
    twilio_api.plan("500", "timeout")
    ticket = make_ticket(session, sector="banks", province="tehran")
    with running_worker(settings, tmp_path / "worker.log", **provider_env(twilio_api)):
        for backoff in (10, 60):  # the first two of SEND_SMS's retry intervals
            wait = wait_for(lambda: retry_scheduled_in(runtime, ticket.id), what="a retry")
            assert backoff - 5 < wait <= backoff
            job = send_job(runtime, ticket.id)  # the wait is over: the worker runs it again
            ScheduledJobRegistry(NOTIFICATIONS, connection=runtime.redis).remove(job)
            queue(runtime.redis, NOTIFICATIONS).enqueue_job(job)
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="the SMS")
    assert [a["outcome"] for a in twilio_api.attempts] == ["500", "timeout", "ok"]
    assert len(twilio_api.messages) == 1
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert referral.status == MessageStatus.QUEUED and referral.provider_id == twilio_api.messages[0].sid


def test_a_permanent_refusal_is_not_retried_and_is_recorded_on_the_ticket(
        runtime, settings, session, tmp_path, twilio_api):
    twilio_api.plan(21614)  # "not a valid mobile number": the directory has a landline
    ticket = make_ticket(session, sector="banks", province="tehran")
    with running_worker(settings, tmp_path / "worker.log", **provider_env(twilio_api)):
        failed = wait_for(lambda: (job := send_job(runtime, ticket.id)) and job.get_status() == "finished",
                          what="the send job to finish")
        assert failed and retry_scheduled_in(runtime, ticket.id) is None
    assert len(twilio_api.attempts) == 1 and twilio_api.messages == []
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert (referral.status, referral.error_code) == (MessageStatus.FAILED, "21614")
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                      TicketEvent.kind == "sms_failed")).one()
    assert event.data["purpose"] == Purpose.REFERRAL and event.data["code"] == "21614"
    session.commit()
