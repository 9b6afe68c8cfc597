"""The outbox: nothing is lost when Redis is down, nothing is queued twice when it is up."""

from datetime import timedelta

from rq import Queue
from sqlalchemy import select, update

from foad.runtime import Runtime
from models.base import utcnow
from models.outbox import OutboxItem
from tests.builders import make_ticket
from worker.outbox import job_id, relay
from worker.queues import ROUTING

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_redis_down_at_intake_keeps_the_ticket_and_the_relay_queues_it_once(runtime, settings, caplog):
    offline = Runtime(settings, DEAD_REDIS)
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
