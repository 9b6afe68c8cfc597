"""Work that rides with a job: the official's text runs right after routing, in the same RQ
job; intake's routing and the caller's code wait in line for one drain job, as do a burst of
complaints; nothing is lost or run twice."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from rq.job import Job as RQJob
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select, update

from models.base import utcnow
from models.messages import MessageStatus, Purpose
from models.outbox import Job, OutboxItem
from models.tickets import Via
from tests.builders import make_ticket
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.retries import run_retries_now
from tests.worker.helpers import texts
from tests.worker.processes import environment, running_worker, stop, wait_for
from tests.waiting import on_the_way
from tests.worker.test_faults import HEAD_OF_BANKS_TEHRAN, provider_env, to
from worker import riders
from models.outgoing import queue_text
from worker.outbox import DRAIN_CHUNK, drain, job_id, relay, relay_outbox
from worker.queues import NOTIFICATIONS, ROUTING, queue


def test_the_officials_text_rides_with_routing_one_job_for_both(runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    ticket = make_ticket(session, sector="banks", province="tehran")
    work()
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert referral.status == MessageStatus.QUEUED
    assert len(twilio_api.messages) == 1
    assert finished(runtime) == {ROUTING: 1, NOTIFICATIONS: 0}


def finished(runtime) -> dict[str, int]:
    """RQ jobs that ran to the end, by queue."""
    return {name: queue(runtime.redis, name).finished_job_registry.count for name in (ROUTING, NOTIFICATIONS)}


def test_intakes_routing_and_the_callers_code_go_in_one_job(runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    ticket = make_ticket(session, via=Via.CALL, caller="09121234567", sector="banks", province="tehran")
    assert [m.purpose for m in texts(session, ticket)] == [Purpose.TRACKING_CODE]
    work()
    assert sorted(m.purpose for m in texts(session, ticket)) == [Purpose.REFERRAL, Purpose.TRACKING_CODE]
    assert len(twilio_api.messages) == 2
    assert finished(runtime) == {ROUTING: 1, NOTIFICATIONS: 0}


def test_a_burst_of_complaints_is_run_by_one_drain_chunk_by_chunk(runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    count = (DRAIN_CHUNK[ROUTING] * 2 + 3) // 2  # two pieces each: three takes from the line
    tickets = [make_ticket(session, via=Via.CALL, caller=f"0912123{n:04d}", sector="banks", province="tehran")
               for n in range(count)]
    assert queue(runtime.redis, ROUTING).count == 1  # the first one's drain: the others found it queued
    assert len(on_the_way(runtime.redis, ROUTING)) == 2 * count  # routing and the code, each
    work()
    for ticket in tickets:
        assert sorted(m.purpose for m in texts(session, ticket)) == [Purpose.REFERRAL, Purpose.TRACKING_CODE]
    assert len(twilio_api.messages) == 2 * count
    # The first drain took them all, ten at a time; the one it queued for an idle worker at its
    # first take (work was left) found the line empty (this test's one worker ran it after).
    assert finished(runtime) == {ROUTING: 2, NOTIFICATIONS: 0}
    assert session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.done_at.is_(None))) == 0


def test_work_put_in_line_after_a_drain_started_queues_another(runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    first = make_ticket(session, sector="banks", province="tehran")
    riders.draining(runtime.redis, ROUTING)  # its drain starts (and has not taken anything yet)
    second = make_ticket(session, sector="banks", province="tehran")
    assert queue(runtime.redis, ROUTING).count == 2
    work()
    for ticket in (first, second):
        assert len(texts(session, ticket, Purpose.REFERRAL)) == 1
    assert len(twilio_api.messages) == 2
    assert finished(runtime) == {ROUTING: 2, NOTIFICATIONS: 0}  # the second found the line empty


def test_a_drain_that_leaves_texts_in_line_queues_another_for_an_idle_worker(runtime, session, configure,
                                                                              twilio_api):
    configure(twilio=twilio_api.settings())
    for n in range(3):
        queue_text(session, number=f"+98912123000{n}", body="پاسخ", purpose=Purpose.RESULT)
        session.commit()
    assert queue(runtime.redis, NOTIFICATIONS).count == 1  # the first text's drain
    drain(NOTIFICATIONS)  # as a worker runs it: one text at a time (sending waits on the provider)
    assert len(twilio_api.messages) == 3
    # At its first take two texts were left: it queued a drain for another worker to share them.
    assert queue(runtime.redis, NOTIFICATIONS).count == 2
    assert runtime.redis.llen(riders.LINE.format(NOTIFICATIONS)) == 0


def test_a_line_whose_drain_was_lost_gets_one_at_the_relays_next_run(runtime, session, work, configure,
                                                                      twilio_api):
    configure(twilio=twilio_api.settings())
    ticket = make_ticket(session, sector="banks", province="tehran")
    queue(runtime.redis, ROUTING).empty()  # its drain gone (`rq empty`, say); the line and flag kept
    runtime.redis.delete(riders.DRAIN_FLAG.format(ROUTING))  # the flag lapsed (a minute)
    assert relay_outbox() == 1  # the periodic relay: the routing work's marker still holds it
    assert relay_outbox() == 0  # that drain is queued: no second
    work()
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1 and len(twilio_api.messages) == 1


def test_a_drain_whose_line_was_lost_leaves_the_work_to_the_relay(runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    ticket = make_ticket(session, sector="banks", province="tehran")
    runtime.redis.delete(riders.LINE.format(ROUTING))  # Redis lost the line, not the markers
    work()
    assert not texts(session, ticket, Purpose.REFERRAL)
    with runtime.session() as again:
        assert relay(again, runtime.redis, grace=timedelta(0)) == 0  # its marker still holds it
    for item_id in session.scalars(select(OutboxItem.id)):
        runtime.redis.delete(riders.key(item_id))  # RIDE_WAIT later
    session.commit()
    with runtime.session() as again:
        assert relay(again, runtime.redis, grace=timedelta(0)) == 1
    work()
    assert len(texts(session, ticket, Purpose.REFERRAL)) == 1 and len(twilio_api.messages) == 1


def test_a_rider_whose_marker_is_gone_is_left_to_the_relay_and_run_once(
        runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    ticket = make_ticket(session, via=Via.CALL, caller="09121234567", sector="banks", province="tehran")
    code = session.scalar(select(OutboxItem.id).where(OutboxItem.job == Job.SEND_SMS))
    session.commit()
    runtime.redis.delete(riders.key(code))  # it waited longer than RIDE_WAIT: the relay's now
    work()
    assert not texts(session, ticket, Purpose.TRACKING_CODE)[0].sent_at
    session.execute(update(OutboxItem).values(created_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    with runtime.session() as again:
        assert relay(again, runtime.redis) == 1  # only the code: the official's text was done
    work()
    assert len(twilio_api.messages) == 2
    assert finished(runtime) == {ROUTING: 1, NOTIFICATIONS: 1}


def test_a_rider_that_fails_is_queued_with_the_retries_rq_would_have_left(
        runtime, session, work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    twilio_api.plan("500")
    ticket = make_ticket(session, sector="banks", province="tehran")
    work()
    [referral] = texts(session, ticket, Purpose.REFERRAL)
    assert referral.status == MessageStatus.PENDING and referral.error_code.endswith("500")
    item = session.scalar(select(OutboxItem.id).where(OutboxItem.key == f"send_sms:{referral.id}"))
    session.commit()
    job = RQJob.fetch(job_id(item), connection=runtime.redis)
    assert job.get_status() == "scheduled" and job.retries_left == 4  # five tries in all, as before
    wait = (ScheduledJobRegistry(NOTIFICATIONS, connection=runtime.redis).get_scheduled_time(job.id)
            - utcnow()).total_seconds()
    assert 5 < wait <= 10  # SEND_SMS's first interval
    run_retries_now(runtime.redis)
    work()
    assert len(twilio_api.messages) == 1
    assert texts(session, ticket, Purpose.REFERRAL)[0].status == MessageStatus.QUEUED


def test_a_worker_killed_while_its_rider_sends_adopts_the_text_when_rq_retries_it(
        runtime, settings, session, tmp_path, twilio_api):
    twilio_api.plan("hold")  # Twilio takes the official's text in and holds its answer
    with running_worker(settings, tmp_path / "worker.log", "--queues", "routing,notifications",
                        **provider_env(twilio_api, timeout="30")) as worker:
        ticket = make_ticket(session, sector="banks", province="tehran")
        wait_for(lambda: to(twilio_api, HEAD_OF_BANKS_TEHRAN), what="Twilio to take the text")
        [child] = wait_for(lambda: children(worker.pid), what="the worker's process")
        os.kill(child, signal.SIGKILL)
        twilio_api.release()
        # RQ finds the routing job abandoned once its heartbeat expires (its timeout and a
        # minute): that moment, now.
        StartedJobRegistry(ROUTING, connection=runtime.redis).cleanup(time.time() + 3600)
        run_retries_now(runtime.redis)
        wait_for(lambda: texts(session, ticket, Purpose.REFERRAL)[0].status == MessageStatus.QUEUED,
                 what="the retry to adopt the text")
    assert len(twilio_api.attempts) == 1 and len(twilio_api.messages) == 1
    assert twilio_api.lookups  # the retry asked Twilio instead of sending again
    assert "worker killed by a signal, starting another" in (tmp_path / "worker.log").read_text()


def children(pid: int) -> list[int]:
    """The processes `pid` started (a `foad worker`'s: the worker it forked)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_a_worker_asked_to_stop_ends_its_drain_after_the_text_under_way(runtime, settings, session, tmp_path,
                                                                         work, configure, twilio_api):
    configure(twilio=twilio_api.settings())
    twilio_api.plan("hold")  # the drain's first send waits at Twilio
    numbers = [f"+98912123100{n}" for n in range(4)]
    for number in numbers:
        queue_text(session, number=number, body="پاسخ", purpose=Purpose.RESULT)
        session.commit()
    worker = subprocess.Popen([sys.executable, "-m", "foad", "worker", "--queues", "notifications"],
                              env=environment(settings, **provider_env(twilio_api, timeout="30")),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: twilio_api.attempts, what="the drain's first send")
        worker.send_signal(signal.SIGTERM)  # a deploy: the worker is asked to stop
        time.sleep(0.5)
        twilio_api.release()
        assert worker.wait(timeout=20) == 0
    finally:
        stop(worker, 5)
    assert len(twilio_api.messages) == 1  # the text under way went out; the drain took no more
    work()  # the next worker: what the stopped one left waits in the queue, nothing lost
    assert sorted(m.to for m in twilio_api.messages) == numbers  # each once
