"""Periodic jobs: once per period however many workers tick, and each does its round."""

from datetime import datetime, timedelta, timezone

from redis import Redis
from rq import Queue
from sqlalchemy import select, update

from models.base import utcnow
from models.outbox import OutboxItem
from models.tickets import Ticket, TicketStatus
from tests.builders import make_ticket
from tests.worker.helpers import JOBS_BUT_SENDING
from worker.periodic import LAST_TICK_KEY, PERIODIC, tick
from worker.queues import MAINTENANCE

PERIOD_START = datetime(2026, 11, 28, 0, 0, tzinfo=timezone.utc)  # a multiple of every period


def test_the_periodic_jobs_are_declared_with_stable_unique_names():
    names = [job.name for job in PERIODIC]
    assert len(set(names)) == len(names)
    assert {"outbox-relay", "deadline-sweep", "sending-sweep", "survey-sweep", "report-cards-recent",
            "report-cards-years"} <= set(names)
    assert all(job.every >= 60 for job in PERIODIC)


def test_many_workers_ticking_enqueue_each_period_once(runtime, settings):
    other_machine = Redis.from_url(settings.redis_url)
    first = tick(runtime.redis, PERIOD_START)
    assert len(first) == len(PERIODIC)
    assert tick(other_machine, PERIOD_START + timedelta(seconds=10)) == []
    assert tick(runtime.redis, PERIOD_START + timedelta(seconds=59)) == []
    later = tick(other_machine, PERIOD_START + timedelta(seconds=60))
    assert sorted(later) == sorted(j.job_id(PERIOD_START + timedelta(seconds=60))
                                   for j in PERIODIC if j.every == 60)
    assert len(Queue(MAINTENANCE, connection=runtime.redis).job_ids) == len(first) + len(later)
    assert float(runtime.redis.get(LAST_TICK_KEY)) == (PERIOD_START + timedelta(seconds=60)).timestamp()
    other_machine.close()


def test_the_relay_round_routes_work_that_never_reached_redis(runtime, session, work):
    ticket = make_ticket(session)
    runtime.redis.flushdb()  # as if Redis had been down at commit
    session.execute(update(OutboxItem).values(created_at=utcnow() - timedelta(minutes=2)))
    session.commit()
    tick(runtime.redis)
    assert work((MAINTENANCE,))  # the relay queues the routing job …
    assert work(JOBS_BUT_SENDING)  # … which then runs
    status = session.scalar(select(Ticket.status).where(Ticket.id == ticket.id))
    session.commit()
    assert status == TicketStatus.REFERRED
