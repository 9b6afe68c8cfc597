"""Prometheus metrics: the web app's /metrics, and a metrics server for FastAGI and workers.

Where each figure comes from (docs/metrics.md lists them):
- counted where it happens, in the process it happens in: webhook latency (here, around
  the SMS blueprint's requests), job waits and runs, texts sent or failed (worker.metrics);
- read at scrape time: complaints by way in, deadlines breached and escalations from the
  database (exact whichever process opened or escalated the ticket, and across restarts),
  queue depth from Redis (web /metrics), AGI sessions in progress from the FastAGI server.

Processes that fork (gunicorn's workers, RQ's work horses) keep their counts in files,
prometheus_client's multi-process mode, in a directory of their own made at start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from typing import TYPE_CHECKING, Callable, Iterator

import click
from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client import multiprocess as multi
from prometheus_client import start_http_server, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from models.events import Event
from models.runtime import Runtime
from models.settings import Settings
from models.tickets import Ticket, TicketEvent, TicketStatus
from worker import riders
from worker.queues import ALL, queue

if TYPE_CHECKING:  # the web app need not load the voice side (nor pyst2) to serve /metrics
    from foad.fastagi_processes import CallCounts
    from ivr.fastagi import FastAgiServer

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WEBHOOKS = frozenset({"sms"})
"""Blueprints whose requests are webhooks (a provider waits for the answer)."""
WEBHOOK_SECONDS = Histogram(
    "foad_webhook_seconds", "Time the web app took to answer a webhook, by endpoint and status.",
    ["endpoint", "status"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15))


# --- multi-process mode ---------------------------------------------------------------------

@contextlib.contextmanager
def counted_in_files(service: str, *, one_child_at_a_time: bool = False) -> Iterator[None]:
    """Keep this process's and its forks' metrics in files in a fresh directory, removed at
    the end. `one_child_at_a_time` (RQ's work horses, each a new pid, one after the other):
    every child writes the same file, so that a file per job does not pile up."""
    directory = tempfile.mkdtemp(prefix=f"foad-metrics-{service}-")
    os.environ[MULTIPROC_ENV] = directory
    # prometheus_client chose how to keep values when the commands imported it, before any
    # setting was read; every metric of ours has labels, so its values are made later, and
    # choosing again now applies to all of them.
    values.ValueClass = values.MultiProcessValue(_file_owner(one_child_at_a_time))
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        values.ValueClass = values.MutexValue
        shutil.rmtree(directory, ignore_errors=True)


def _file_owner(one_child_at_a_time: bool) -> Callable[[], object]:
    """Whose file a process writes: its own (by pid), or with `one_child_at_a_time` the
    children's one (RQ's scheduler, the worker's other child, counts nothing)."""
    if not one_child_at_a_time:
        return os.getpid
    parent = os.getpid()
    return lambda: "main" if os.getpid() == parent else "child"


def child_exit(_server: object, worker: object) -> None:
    """Gunicorn's hook: a worker's live gauges leave with it."""
    if os.environ.get(MULTIPROC_ENV):
        multi.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def registry(*collectors: object) -> CollectorRegistry:
    """This process's metrics (and its forks', in multi-process mode) with `collectors`."""
    found = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multi.MultiProcessCollector(found)
    else:
        found.register(_ThisProcess())
    for collector in collectors:
        found.register(collector)  # type: ignore[arg-type]
    return found


class _ThisProcess:
    """The default registry's metrics, gathered into another registry."""

    def collect(self):
        """What prometheus_client's default registry holds."""
        return REGISTRY.collect()


def serve_metrics(settings: Settings, port: int | None, *collectors: object) -> None:
    """Serve /metrics on `port` (FOAD_METRICS_HOST) from a thread; nothing when None."""
    if port is None:
        return
    try:
        start_http_server(port, addr=settings.metrics_host, registry=registry(*collectors))
    except OSError as exc:
        raise click.ClickException(f"cannot serve metrics on {settings.metrics_host}:{port}: "
                                   f"{exc.strerror or exc}") from None


# --- read at scrape time ---------------------------------------------------------------------

class TicketFigures:
    """Complaints by way in, deadlines breached and escalations, counted in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self):
        """Two grouped counts; nothing when the database does not answer (the scrape goes on)."""
        kinds = (Event.BREACH, TicketStatus.ESCALATED)
        try:
            with self.engine.connect() as conn:
                by_via = conn.execute(select(Ticket.via, func.count()).group_by(Ticket.via)).all()
                by_kind = dict(conn.execute(select(TicketEvent.kind, func.count())
                                            .where(TicketEvent.kind.in_(kinds)).group_by(TicketEvent.kind)).all())
        except SQLAlchemyError:
            return
        complaints = CounterMetricFamily("foad_complaints", "Tickets registered, by way in.", labels=["via"])
        for via, count in by_via:
            complaints.add_metric([str(via)], count)
        yield complaints
        yield CounterMetricFamily("foad_deadlines_breached", "Deadlines an agency let pass (breach events).",
                                  value=by_kind.get(Event.BREACH, 0))
        yield CounterMetricFamily("foad_escalations", "Tickets moved up a level after a breach.",
                                  value=by_kind.get(TicketStatus.ESCALATED, 0))


class QueueDepth:
    """RQ's jobs per queue and state (queued, scheduled, running, failed) and the work in its
    line (in_line), read in one round trip."""

    STATES = ("queued", "scheduled", "running", "failed", "in_line")

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def collect(self):
        """One pipelined read of every queue's list and registries."""
        pipe = self.redis.pipeline(transaction=False)
        for name in ALL:
            q = queue(self.redis, name)
            pipe.llen(q.key)
            for registry_ in (q.scheduled_job_registry, q.started_job_registry, q.failed_job_registry):
                pipe.zcard(registry_.key)
            pipe.llen(riders.LINE.format(name))
        try:
            counts = pipe.execute()
        except RedisError:
            return
        depth = GaugeMetricFamily("foad_queue_jobs", "RQ jobs per queue and state; in_line: outbox work "
                                  "waiting in the queue's line for a drain job.", labels=["queue", "state"])
        width = len(self.STATES)
        for n, name in enumerate(ALL):
            for state, count in zip(self.STATES, counts[width * n:width * (n + 1)]):
                depth.add_metric([name, state], count)
        yield depth


class CallsInProgress:
    """AGI sessions FastAGI is serving now (calls, and hangup handlers' brief ones): one
    server's, or those of all `foad fastagi --processes` servers (their CallCounts)."""

    def __init__(self, server: FastAgiServer | CallCounts) -> None:
        self.server = server

    def collect(self):
        """The count of open connections."""
        yield GaugeMetricFamily("foad_calls_in_progress", "AGI sessions being served now.",
                                value=self.server.open_connections)


# --- the web app -------------------------------------------------------------------------------

def init_app(app: Flask, runtime: Runtime) -> None:
    """Serve /metrics, and time every webhook request."""
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics() -> Response:
        """Prometheus' scrape: this app's figures, the database's and the queues'."""
        found = registry(TicketFigures(runtime.engine), QueueDepth(runtime.redis))
        return Response(generate_latest(found), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(bp)
    app.before_request(_start_clock)
    app.after_request(_observe)


def _start_clock() -> None:
    if request.blueprint in WEBHOOKS:
        g.webhook_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("webhook_started", None)
    if started is not None:
        WEBHOOK_SECONDS.labels(request.endpoint, str(response.status_code)).observe(time.perf_counter() - started)
    return response
