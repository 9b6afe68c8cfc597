"""Faults end to end: real `foad worker` processes, the real twilio client and a local
Twilio-compatible server; Redis down at intake, work horses killed at the risky points
(after routing committed, after Twilio took a text), provider failures."""

from __future__ import annotations

import contextlib
import os
import signal
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import select, update

from foad.devtools.twilio_api import CLIENT_TIMEOUT, FROM_NUMBER
from foad.runtime import make_runtime
from models.base import utcnow
from models.messages import Message, MessageStatus, Purpose
from models.outbox import OutboxItem
from models.runtime import Runtime
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.builders import make_ticket
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.retries import busy, run_retry_now, scheduled_at
from tests.worker.helpers import texts
from tests.worker.processes import running_worker, wait_for, work_horse
from tests.worker.redis_gate import RedisGate
from worker.health import check
from worker.outbox import drain_id, job_id, relay
from worker.queues import NOTIFICATIONS, ROUTING
from worker.riders import MARK, RIDE_WAIT

DEAD_REDIS = "redis://127.0.0.1:1/0"
HEAD_OF_BANKS_TEHRAN = "+989970000024"


def provider_env(api, timeout: str = str(CLIENT_TIMEOUT)) -> dict[str, str]:
    """What an operator sets to send through Twilio (here: the local server)."""
    return {"TWILIO_ACCOUNT_SID": api.account_sid, "TWILIO_AUTH_TOKEN": api.auth_token,
            "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": api.base_url,
            "TWILIO_HTTP_TIMEOUT": timeout}


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
    offline = make_runtime(settings, DEAD_REDIS)
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


def wait_until_idle(runtime: Runtime) -> None:
    """Until the worker has nothing queued or running (a second text would have gone by then)."""
    wait_for(lambda: not busy(runtime.redis, (ROUTING, NOTIFICATIONS)), what="the worker to finish everything")


def test_a_work_horse_killed_after_routing_committed_is_run_again_and_the_official_texted_once(
        runtime, settings, session, tmp_path, twilio_api):
    # The gate holds the marker of the official's text, which rides with the routing work:
    # routing has committed (the ticket referred, the text written) and not yet marked its
    # work done nor sent the text. A new rider's marker lasts RIDE_WAIT; the routing work's
    # own, renewed when the drain takes it, lasts the drain's time.
    wait = str(int(RIDE_WAIT.total_seconds())).encode()
    marker = b"$6\r\n" + MARK + b"\r\n$2\r\nEX\r\n$%d\r\n%s\r\n" % (len(wait), wait)
    with RedisGate(settings.redis_url, marker) as gate, running_worker(
            settings, tmp_path / "worker.log", "--fork", "--queues", "routing,notifications",
            REDIS_URL=gate.url, **provider_env(twilio_api)) as worker:
        wait_for(lambda: check(runtime.redis, (ROUTING,)).workers, what="the worker to start")
        ticket = make_ticket(session, sector="banks", province="tehran")
        item = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
        session.commit()
        wait_for(gate.tripped.is_set, what="the routing job to commit and push the official's text")
        assert referred_events(runtime, ticket.id) == 1  # committed, not yet done
        os.kill(wait_for(lambda: work_horse(worker.pid), what="the work horse"), signal.SIGKILL)
        drain = drain_id(ROUTING, item.id)  # the job that took the routing work from the line
        wait_for(lambda: scheduled_at(runtime.redis, ROUTING, drain), what="RQ to schedule the retry")
        gate.release()
        assert run_retry_now(runtime.redis, ROUTING, drain)
        routing_job = RQJob.fetch(drain, connection=runtime.redis)
        wait_for(lambda: routing_job.get_status(refresh=True) == "finished", what="the retry")
        with runtime.session() as again:
            relay(again, runtime.redis, grace=timedelta(0))  # the held push, if it was lost
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="the official's SMS")
        wait_until_idle(runtime)
    assert routing_job.retries_left == 3  # one of four retries used
    assert referred_events(runtime, ticket.id) == 1
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1
    assert len(to(twilio_api, HEAD_OF_BANKS_TEHRAN)) == 1
    assert "Work-horse terminated unexpectedly" in (tmp_path / "worker.log").read_text()


def test_a_send_job_killed_after_twilio_took_the_text_adopts_it_and_sends_no_second(
        runtime, settings, session, tmp_path, twilio_api):
    twilio_api.plan("hold")  # Twilio takes the official's text in and holds its answer
    with running_worker(settings, tmp_path / "worker.log", "--fork", "--queues", "routing,notifications",
                        **provider_env(twilio_api, timeout="30")) as worker:
        ticket = make_ticket(session, sector="banks", province="tehran")
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="Twilio to take the text")
        os.kill(wait_for(lambda: work_horse(worker.pid), what="the work horse"), signal.SIGKILL)
        twilio_api.release()
        # The text rode with the routing work's drain (noted on it): that job's retry settles it.
        routing = drain_id(ROUTING, session.scalar(select(OutboxItem.id).where(OutboxItem.key == f"route_ticket:{ticket.id}")))
        session.commit()  # SQLite: a transaction left open holds the write lock the worker needs
        wait_for(lambda: scheduled_at(runtime.redis, ROUTING, routing), what="RQ to schedule the retry")
        assert run_retry_now(runtime.redis, ROUTING, routing)
        job = RQJob.fetch(routing, connection=runtime.redis)
        wait_for(lambda: job.get_status(refresh=True) == "finished", what="the retry")
        wait_until_idle(runtime)
    assert len(twilio_api.attempts) == 1 and len(twilio_api.messages) == 1
    assert twilio_api.lookups  # the retry asked Twilio instead of sending again
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert (referral.status, referral.provider_id) == (MessageStatus.QUEUED, twilio_api.messages[0].sid)
    assert "Work-horse terminated unexpectedly" in (tmp_path / "worker.log").read_text()


def send_job_id(runtime: Runtime, ticket_id: int) -> str | None:
    """The id of the RQ job sending the official's referral SMS, once routing has written it."""
    with runtime.session() as session:
        message = session.scalar(select(Message.id).where(
            Message.ticket_id == ticket_id, Message.purpose == Purpose.REFERRAL))
        found = session.scalar(select(OutboxItem.id).where(OutboxItem.key == f"send_sms:{message}"))
    return job_id(found) if found else None


def send_job(runtime: Runtime, ticket_id: int) -> RQJob | None:
    """The RQ job sending the official's referral SMS, once it is pushed."""
    found = send_job_id(runtime, ticket_id)
    with contextlib.suppress(NoSuchJobError):  # written, not pushed yet
        return RQJob.fetch(found, connection=runtime.redis) if found else None
    return None


def retry_scheduled_in(runtime: Runtime, ticket_id: int) -> float | None:
    """Seconds until RQ runs the send again, once the job waits out its backoff (it is in
    the scheduled registry: its status says so a moment earlier)."""
    found = send_job_id(runtime, ticket_id)
    at = scheduled_at(runtime.redis, NOTIFICATIONS, found) if found else None
    return None if at is None else (at - utcnow()).total_seconds()


def test_provider_500_and_timeout_are_retried_with_backoff_and_one_sms_is_sent(
        runtime, settings, session, tmp_path, twilio_api):
    twilio_api.plan("500", "timeout")
    ticket = make_ticket(session, sector="banks", province="tehran")
    with running_worker(settings, tmp_path / "worker.log", **provider_env(twilio_api)):
        for backoff in (10, 60):  # the first two of SEND_SMS's retry intervals
            wait = wait_for(lambda: retry_scheduled_in(runtime, ticket.id), what="a retry")
            assert backoff - 5 < wait <= backoff
            # The wait is over: the worker runs it again.
            assert run_retry_now(runtime.redis, NOTIFICATIONS, send_job_id(runtime, ticket.id))
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
        # The text rides with routing (worker.riders): refused for good, it is not queued again.
        wait_for(lambda: [t for t in texts(session, ticket, Purpose.REFERRAL) if t.status == MessageStatus.FAILED],
                 what="the text to fail")
        wait_until_idle(runtime)
        assert send_job(runtime, ticket.id) is None and retry_scheduled_in(runtime, ticket.id) is None
    assert len(twilio_api.attempts) == 1 and twilio_api.messages == []
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert (referral.status, referral.error_code) == (MessageStatus.FAILED, "21614")
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                      TicketEvent.kind == "sms_failed")).one()
    assert event.data["purpose"] == Purpose.REFERRAL and event.data["code"] == "21614"
    session.commit()
