"""Prometheus metrics on the web app's /metrics: figures read from the database and Redis at
scrape time, and what this process counted (webhooks, jobs, texts). The multi-process side
(gunicorn, work horses, the FastAGI and worker metrics ports) is tested with `foad serve`."""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from foad.cli import main
from foad.metrics import CallsInProgress, registry
from ivr.fastagi import FastAgiServer
from ivr.peer.dial import connected, incoming
from models import lifecycle
from models.events import Event
from models.tickets import TicketStatus, Via, record
from tests.builders import agency, make_ticket
from tests.ivr.midcall import prompting
from tests.peers.fixtures import twilio_api  # noqa: F401  (a fixture)
from tests.worker.processes import wait_for


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics gives: (name, sorted labels) → value."""
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for s in family.samples}


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_complaints_by_way_in_breaches_and_escalations_are_read_from_the_database(client, session):
    make_ticket(session)
    make_ticket(session, caller="09121112233")
    late = make_ticket(session, via=Via.CALL, caller="02188776655", voice_path="voice/1.wav", text=None)
    late.agency_id = agency(session, "MUN-TEH").id
    lifecycle.move(late, TicketStatus.REFERRED)
    record(late, Event.BREACH, agency="MUN-TEH")
    lifecycle.move(late, TicketStatus.ESCALATED, agency="IMVO", previous_agency="MUN-TEH")
    session.commit()

    samples = scrape(client)
    assert value(samples, "foad_complaints_total", via="sms") == 2
    assert value(samples, "foad_complaints_total", via="call") == 1
    assert value(samples, "foad_deadlines_breached_total") == 1
    assert value(samples, "foad_escalations_total") == 1


def test_queue_depth_is_read_from_redis_by_queue_and_state(client, session):
    make_ticket(session)  # its routing work waits in line, a drain job queued: no worker runs here

    samples = scrape(client)
    assert value(samples, "foad_queue_jobs", queue="routing", state="queued") == 1
    assert value(samples, "foad_queue_jobs", queue="routing", state="in_line") == 1
    assert value(samples, "foad_queue_jobs", queue="notifications", state="queued") == 0
    assert ("foad_queue_jobs", (("queue", "maintenance"), ("state", "failed"))) in samples


def test_webhook_answers_are_timed_by_endpoint_and_status(client):
    before = scrape(client)
    assert client.post("/sms/twilio/inbound", data={"MessageSid": "SM1"}).status_code == 403  # unsigned
    client.get("/healthz")  # not a webhook: not timed

    after = scrape(client)
    counted = "foad_webhook_seconds_count"
    assert value(after, counted, endpoint="sms.inbound", status="403") == \
        value(before, counted, endpoint="sms.inbound", status="403") + 1
    assert not any(name == counted and dict(labels)["endpoint"] == "healthz" for name, labels in after)


def test_jobs_are_timed_and_texts_counted_by_provider_and_outcome(client, session, runtime, work, twilio_api):
    runtime.settings = replace(runtime.settings, twilio=twilio_api.settings())
    before = scrape(client)
    make_ticket(session, sector="banks", province="tehran")  # routed, the official texted
    twilio_api.plan(21614)  # the next text is refused for good
    make_ticket(session, sector="banks", province="tehran", caller="09121112233")
    work()

    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("foad_job_run_seconds_count", queue="routing", job="route_ticket", outcome="done") == 2
    assert grew("foad_job_wait_seconds_count", queue="routing", job="route_ticket") == 2
    # The official's text rides with its routing job: it ran, and waited for no queue of its own.
    assert grew("foad_job_run_seconds_count", queue="notifications", job="send_sms", outcome="done") == 2
    assert grew("foad_job_wait_seconds_count", queue="notifications", job="send_sms") == 0
    assert grew("foad_texts_total", provider="twilio", outcome="sent") == 1
    assert grew("foad_texts_total", provider="twilio", outcome="failed") == 1


def test_calls_in_progress_are_the_fastagi_servers_open_sessions(runtime, settings):
    server = FastAgiServer(("127.0.0.1", 0), runtime)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,))
    thread.start()
    gauge = registry(CallsInProgress(server))
    try:
        channel = incoming("127.0.0.1", server.port, caller_id="02188776655", to="128", keys="1 3 2 # 1",
                           recordings_dir=settings.recordings_dir)
        with connected(channel, "127.0.0.1", server.port) as driver:
            assert driver.run(until=prompting("review_menu"))
            assert gauge.get_sample_value("foad_calls_in_progress") == 1
            driver.run()
        wait_for(lambda: server.open_connections == 0, what="the call to end")
        assert gauge.get_sample_value("foad_calls_in_progress") == 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_docs_and_the_dashboard_name_only_metrics_foad_exports(client, session, runtime, work):
    make_ticket(session)
    work()
    client.post("/sms/twilio/inbound", data={"MessageSid": "SM1"})
    scraped = client.get("/metrics").get_data(as_text=True)
    exported = {family.name for family in text_string_to_metric_families(scraped)}
    exported.add("foad_calls_in_progress")  # FastAGI's own
    root = Path(__file__).resolve().parents[2]
    documented = set(re.findall(r"`(foad_\w+)`", (root / "docs" / "metrics.md").read_text()))
    charted = set(re.findall(r"\b(foad_\w+)", (root / "deploy" / "grafana" / "foad.json").read_text()))
    suffixes = ("_total", "_bucket", "_count", "_sum")
    base = {name.removesuffix(next((s for s in suffixes if name.endswith(s)), "")) for name in documented | charted}
    assert base - exported == set()
    assert {"foad_complaints", "foad_queue_jobs", "foad_job_wait_seconds", "foad_webhook_seconds"} <= base


def test_a_metrics_port_in_use_is_named_not_a_traceback(settings):
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
           "FOAD_DATA_DIR": str(settings.data_dir)}
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["worker", "--burst", "--metrics-port", str(port)], env=env)
    assert result.exit_code == 1
    assert f"Error: cannot serve metrics on 127.0.0.1:{port}: Address already in use" in result.output
