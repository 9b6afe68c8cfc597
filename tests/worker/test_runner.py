"""`foad worker`'s default mode: jobs in the worker's own process, which a warm parent
replaces after --max-jobs jobs (or past --max-memory); SIGTERM still stops it warmly, and
so does its parent's death."""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from rq.suspension import resume, suspend

from models.tickets import Ticket, TicketStatus

from tests.builders import make_ticket
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.worker.processes import running_worker, wait_for
from tests.worker.test_faults import provider_env, to
from tests.worker.test_riders import children
from worker import riders, runner
from worker.health import check
from worker.queues import JOBS
from worker.runner import FoadSimpleWorker

OFFICIAL = "+989970000024"  # the head of inspection of Tehran's banks


def test_a_worker_hands_over_after_its_jobs_and_the_next_goes_on(runtime, settings, session, tmp_path,
                                                                 twilio_api):
    with running_worker(settings, tmp_path / "worker.log", "--max-jobs", "1",
                        **provider_env(twilio_api)) as worker:
        for sent in range(1, 4):  # one at a time: a burst would be one job (worker.riders)
            make_ticket(session, sector="banks", province="tehran")
            wait_for(lambda: len(to(twilio_api, OFFICIAL)) == sent, what="the official's text")
        wait_for(lambda: check(runtime.redis).healthy, what="the next worker to be healthy")
    assert worker.returncode == 0  # SIGTERM: passed on, a warm shutdown
    log = (tmp_path / "worker.log").read_text()
    assert log.count("worker hands over to a fresh process") >= 2
    assert len(to(twilio_api, OFFICIAL)) == 3


def test_a_worker_whose_parent_is_killed_stops_instead_of_running_on_unsupervised(
        runtime, settings, tmp_path):
    # RQ's own lines (its "warm shut down" among them) are DEBUG in our logs.
    with running_worker(settings, tmp_path / "worker.log", FOAD_LOG_LEVEL="DEBUG") as parent:
        wait_for(lambda: check(runtime.redis).healthy, what="a healthy worker")
        [child] = children(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        wait_for(lambda: gone(child), what="the worker to stop with its parent")
    assert "warm shut down requested" in (tmp_path / "worker.log").read_text()


def gone(pid: int) -> bool:
    """True once the process ended (a zombie nobody reaps counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_suspended_worker_runs_nothing_until_resumed(runtime, session, work):
    ticket = make_ticket(session, sector="banks", province="tehran")
    suspend(runtime.redis)  # `rq suspend`: the question the worker asks before its jobs
    assert not work()
    assert session.get(Ticket, ticket.id, populate_existing=True).status == TicketStatus.REGISTERED
    session.commit()  # end the read (SQLite: it holds the database's write lock)
    resume(runtime.redis)
    assert work()
    assert session.get(Ticket, ticket.id, populate_existing=True).status == TicketStatus.REFERRED


def test_a_riders_marker_outlasts_any_run_that_wrote_it():
    # A rider its carrier's commits wrote runs without renewing its marker (worker.riders).
    longest = max(spec.timeout for spec in JOBS.values())
    assert timedelta(seconds=longest) + riders.RUN_MARGIN < riders.RIDE_WAIT


def listening_worker(runtime) -> FoadSimpleWorker:
    """A worker subscribed to its command channel, as RQ's `work` subscribes it."""
    worker = FoadSimpleWorker(["routing"], connection=runtime.redis)
    worker.subscribe()
    wait_for(lambda: worker.pubsub_thread.is_alive(), what="the listener's thread")
    return worker


def test_a_stopping_worker_ends_its_listener_with_redis_reply_not_a_timeout(runtime):
    worker = listening_worker(runtime)
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < runner.LISTENER_JOIN  # not the join's bound: the reply ended it
    assert not worker.pubsub_thread.is_alive()


def test_a_listener_that_took_the_reply_too_soon_does_not_hold_the_stop_for_a_minute(runtime):
    # The race RQ's own order loses: the thread read the reply to the unsubscribe while
    # still running, and went back to waiting RQ's 60 s for a subscription.
    worker = listening_worker(runtime)
    worker.pubsub.unsubscribe()
    wait_for(lambda: not worker.pubsub.subscribed, what="the listener to take the reply")
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < runner.LISTENER_JOIN + 2
