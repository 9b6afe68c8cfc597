"""The outbox: nothing is lost when Redis is down or a job spends its retries, nothing is
queued twice when it is up, even by two relays at once."""

import threading
from datetime import timedelta

from rq import Queue
from rq.job import Job as RQJob
from sqlalchemy import select, update

from foad.runtime import make_runtime
from models.agencies import Official
from models.base import utcnow
from models.events import Event
from models.outbox import OutboxItem, Work
from models.runtime import Runtime
from models.tickets import Ticket, TicketEvent, TicketStatus
from tests.builders import make_ticket
from tests.retries import run_retries_now
from tests.worker.helpers import JOBS_BUT_SENDING
from worker.outbox import REQUEUE_AFTER, job_id, push_each, relay, run
from worker.queues import ROUTING, queue

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_redis_down_at_intake_keeps_the_ticket_and_the_relay_queues_it_once(runtime, settings, caplog):
    offline = make_runtime(settings, DEAD_REDIS)
    with offline.session() as session:
        ticket = make_ticket(session)
        item = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == ticket.id)).one()
    offline.close()
    assert any("relay will queue it later" in r.getMessage() for r in caplog.records)
    queue = Queue(ROUTING, connection=runtime.redis)
    assert queue.job_ids == []

    with runtime.session() as session:
        assert relay(session, runtime.redis) == 0  # too young: its push may be under way
        assert relay(session, runtime.redis, grace=timedelta(0)) == 1
        assert relay(session, runtime.redis, grace=timedelta(0)) == 0
    assert queue.job_ids == [job_id(item.id)]


def test_the_relay_requeues_work_redis_forgot(runtime, session):
    make_ticket(session)
    runtime.redis.flushdb()  # Redis restarted without its data
    item = session.scalars(select(OutboxItem)).one()
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1
    assert Queue(ROUTING, connection=runtime.redis).job_ids == [job_id(item.id)]


def test_the_relay_leaves_queued_and_done_work_alone(runtime, session):
    make_ticket(session)
    assert relay(session, runtime.redis, grace=timedelta(0)) == 0  # Redis holds it
    runtime.redis.flushdb()
    session.execute(update(OutboxItem).values(done_at=utcnow()))
    session.commit()
    assert relay(session, runtime.redis, grace=timedelta(0)) == 0  # done: nothing to redo


def test_a_rolled_back_transaction_queues_nothing(runtime, session):
    from models.outbox import Job, add_work

    add_work(session, Job.ROUTE_TICKET, 1, key="route_ticket:rolled-back")
    session.flush()
    session.rollback()
    session.commit()
    assert Queue(ROUTING, connection=runtime.redis).job_ids == []


def test_two_relays_at_once_queue_each_job_once(runtime, settings):
    offline = make_runtime(settings, DEAD_REDIS)
    with offline.session() as session:
        for _ in range(30):
            make_ticket(session)
    offline.close()
    # Two machines' relays, each with its own connections. On PostgreSQL they race; SQLite's
    # one write lock makes them take turns (the next test pushes twice outright).
    relays = [make_runtime(settings, settings.redis_url) for _ in range(2)]
    start, counts = threading.Barrier(2), []

    def one(relay_runtime: Runtime) -> None:
        with relay_runtime.session() as session:
            start.wait()
            counts.append(relay(session, relay_runtime.redis, grace=timedelta(0)))

    threads = [threading.Thread(target=one, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in relays:
        r.close()
    ids = Queue(ROUTING, connection=runtime.redis).job_ids
    assert sum(counts) == 30 and len(ids) == len(set(ids)) == 30


def test_work_pushed_twice_is_queued_once(runtime, session):
    make_ticket(session)  # the after-commit push put it in line, with a drain for it
    item = session.scalars(select(OutboxItem)).one()
    session.commit()
    again = Work(item.id, item.job, tuple(item.args))  # as two relays that saw it missing push it
    assert push_each(runtime.redis, [again]) == 1
    assert push_each(runtime.redis, [again]) == 0
    jobs = [RQJob.fetch(rq_id, connection=runtime.redis) for rq_id in Queue(ROUTING, connection=runtime.redis).job_ids]
    assert sorted(job.func_name for job in jobs) == ["worker.outbox.drain", "worker.outbox.run"]
    assert [job.id for job in jobs if job.func_name == "worker.outbox.run"] == [job_id(item.id)]


def nobody_on_duty(session) -> None:
    session.execute(update(Official).values(active=False))
    session.commit()


def outbox_row(session, ticket) -> OutboxItem:
    """The ticket's routing work, as the database has it now."""
    row = session.scalars(select(OutboxItem).where(OutboxItem.key == f"route_ticket:{ticket.id}")
                          .execution_options(populate_existing=True)).one()
    session.commit()
    return row


def rest_over(session, row: OutboxItem) -> None:
    """As if REQUEUE_AFTER had passed since the job failed for good."""
    session.execute(update(OutboxItem).where(OutboxItem.id == row.id).values(
        failed_at=utcnow() - REQUEUE_AFTER - timedelta(minutes=1)))
    session.commit()


def test_work_whose_retries_ran_out_is_noted_once_and_run_again_after_a_rest(runtime, session, work):
    nobody_on_duty(session)
    ticket = make_ticket(session)
    work(JOBS_BUT_SENDING)
    while run_retries_now(runtime.redis):
        work(JOBS_BUT_SENDING)
    row = outbox_row(session, ticket)
    job = RQJob.fetch(job_id(row.id), connection=runtime.redis)
    assert job.get_status() == "failed" and (row.failures, row.done_at) == (1, None)
    [failed] = job_failed_events(session, ticket)
    assert failed.data["job"] == "route_ticket" and "NobodyToRefer" in failed.data["error"]
    assert relay(session, runtime.redis, grace=timedelta(0)) == 0  # resting
    rest_over(session, row)
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1
    assert relay(session, runtime.redis, grace=timedelta(0)) == 0  # queued already
    work(JOBS_BUT_SENDING)  # still nobody: fails again, noted, not a second event
    assert outbox_row(session, ticket).failures == 2 and len(job_failed_events(session, ticket)) == 1

    session.execute(update(Official).values(active=True))
    session.commit()
    rest_over(session, row)
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1
    work(JOBS_BUT_SENDING)
    assert outbox_row(session, ticket).done_at is not None
    assert session.get(Ticket, ticket.id, populate_existing=True).status == TicketStatus.REFERRED
    session.commit()


def test_a_failure_nobody_noted_is_noted_by_the_relay_and_rests_from_then(runtime, session, work):
    nobody_on_duty(session)
    offline = make_runtime(runtime.settings, DEAD_REDIS)
    with offline.session() as down:
        ticket = make_ticket(down)
    offline.close()
    row = outbox_row(session, ticket)
    # Run and fail it the way a work horse killed on its last try ends: RQ fails the job,
    # and no failure hook of ours runs.
    queue(runtime.redis, ROUTING).enqueue(run, row.id, job_id=job_id(row.id))
    work(JOBS_BUT_SENDING)
    assert RQJob.fetch(job_id(row.id), connection=runtime.redis).get_status() == "failed"
    assert outbox_row(session, ticket).failed_at is None
    assert relay(session, runtime.redis, grace=timedelta(0)) == 0
    assert outbox_row(session, ticket).failures == 1 and len(job_failed_events(session, ticket)) == 1
    rest_over(session, row)
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1


def job_failed_events(session, ticket) -> list[TicketEvent]:
    found = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == Event.JOB_FAILED)))
    session.commit()
    return found
