"""`foad serve`: the whole engine as one process tree: it says where everything is once it
listens, and a Ctrl-C stops it in order, without a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from foad.embedded_redis import EmbeddedRedis
from tests.ports import free_port
from tests.worker.processes import wait_for


class Engine:
    """A `foad serve` process in a session of its own (as a terminal's foreground job is),
    its output read as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "foad", "serve", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.out: list[str] = []
        self.reader = threading.Thread(target=lambda: self.out.extend(self.process.stdout), daemon=True)
        self.reader.start()

    def ctrl_c(self) -> str:
        """What a terminal does on Ctrl-C: SIGINT to the whole foreground group; the log."""
        os.killpg(self.process.pid, signal.SIGINT)
        log = self.process.communicate(timeout=90)[1]
        self.reader.join()
        return log


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """An operator's environment: the default SQLite, migrated, with the sample directory,
    and the embedded Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["FOAD_DATA_DIR"] = str(tmp_path / "data")
    for step in (["db", "upgrade"], ["agencies", "import", "--sample"]):
        subprocess.run([sys.executable, "-m", "foad", *step], env=env, check=True, capture_output=True,
                       timeout=120)
    return env


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        return json.load(answer)


def metrics(port: int, path: str = "/metrics") -> dict[str, float]:
    """The samples a metrics endpoint gives, by name with its labels as Prometheus writes them."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        text = answer.read().decode()
    return {s.name + (f"{{{','.join(f'{k}={v}' for k, v in sorted(s.labels.items()))}}}" if s.labels else ""):
            s.value for family in text_string_to_metric_families(text) for s in family.samples}


def text_in(port: int, body: str) -> int:
    """Post an inbound SMS as Twilio would (signatures are off here); the HTTP status."""
    form = urllib.parse.urlencode({"MessageSid": "SM" + "1" * 32, "From": "+989121234567", "To": "+98128",
                                   "Body": body}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sms/twilio/inbound", data=form, timeout=10) as answer:
        return answer.status


def two_free_ports() -> int:
    """A free port whose next one is free too (FastAGI's and the worker's metrics)."""
    while True:
        first = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first


def a_text_is_measured(port: int, metrics_port: int) -> None:
    """The text's ticket on the metrics: counted by whichever gunicorn worker answered the
    webhook, by the work horses that answered and routed it, and read at scrape time."""
    web = wait_for(lambda: (found := metrics(port)).get("foad_complaints_total{via=sms}") == 1 and found,
                   what="the text's ticket on /metrics")
    assert web["foad_webhook_seconds_count{endpoint=sms.inbound,status=200}"] == 1
    assert metrics(port)["foad_webhook_seconds_count{endpoint=sms.inbound,status=200}"] == 1  # either worker
    worker = wait_for(lambda: (found := metrics(metrics_port + 1)).get(
        "foad_job_run_seconds_count{job=route_ticket,outcome=done,queue=routing}") and found,
        what="the routing job on the worker's metrics")
    assert worker["foad_job_run_seconds_count{job=answer_sms,outcome=done,queue=routing}"] == 1
    assert metrics(metrics_port)["foad_calls_in_progress"] == 0


def test_serve_says_where_everything_is_and_a_ctrl_c_stops_it_in_order(environment, tmp_path):
    port, fastagi_port, metrics_port = free_port(), free_port(), two_free_ports()
    environment.update(FOAD_METRICS_PORT=str(metrics_port), FOAD_SMS_CHECK_SIGNATURES="false")
    engine = Engine(environment, "--port", str(port), "--fastagi-port", str(fastagi_port))
    try:
        wait_for(lambda: any("foad is ready" in line for line in engine.out), timeout=90,
                 what="the ready block")
        assert health(port) == {"database": "ok", "redis": "ok"}
        assert EmbeddedRedis(tmp_path / "data").alive()
        assert text_in(port, "کارمند باجه نیامد") == 200
        a_text_is_measured(port, metrics_port)
    finally:
        log = engine.ctrl_c()
    printed = "".join(engine.out)
    assert f"console:      http://127.0.0.1:{port}/console/" in printed
    assert f"http://127.0.0.1:{port}/sms/twilio/inbound" in printed
    assert f"agi://127.0.0.1:{fastagi_port}" in printed and f"127.0.0.1:{metrics_port + 1}" in printed
    assert f"sqlite:///{tmp_path / 'data' / 'foad.sqlite3'}" in printed and "embedded, unix://" in printed
    assert "no console user yet: run `foad users add NAME --role supervisor`" in printed
    # Gunicorn's access log (in the log, as every line): the text's request, not monitoring's
    # every few seconds.
    assert '"POST /sms/twilio/inbound' in log
    assert "GET /metrics" not in log and "GET /healthz" not in log
    assert engine.process.returncode == 0, log
    assert "Traceback" not in log, log
    stopped = re.findall(r"service stopped service=(\w+)", log)
    assert stopped == ["worker", "fastagi", "web"], log
    # RQ's upkeep and the periodic jobs that found nothing to do are DEBUG.
    assert "worker starting" in log and "cleaning registries" not in log and "outbox relay" not in log
    assert "upload sweep" not in log and "triage wait sweep" not in log
    assert not EmbeddedRedis(tmp_path / "data").alive()


def test_the_ready_block_names_a_public_url_and_hides_passwords(settings, session):
    from dataclasses import replace

    from foad.banner import banner
    from foad.serve import Addresses
    from models.users import add_user

    add_user(session, "maryam", "supervisor", "a long enough one")
    session.commit()
    public = replace(settings, public_base_url="https://128.example.ir",
                     redis_url="redis://:s3cret@10.0.0.9:6379/2")
    printed = "\n".join(banner(public, public.redis_url, Addresses("0.0.0.0", 8000)))
    assert "console:      http://127.0.0.1:8000/console/" in printed
    assert "https://128.example.ir/sms/twilio/inbound" in printed
    assert "redis://:***@10.0.0.9:6379/2" in printed and "s3cret" not in printed
    assert "no console user yet" not in printed


def test_the_ready_block_says_where_texts_go_and_when_webhooks_refuse(settings):
    from dataclasses import replace

    from foad.banner import banner
    from foad.serve import Addresses

    unsigned = replace(settings, twilio=replace(settings.twilio, auth_token=""), sms_check_signatures=True)
    at = Addresses("127.0.0.1", 8000)
    refusing = "\n".join(banner(unsigned, "redis://x", at))
    assert "SMS webhooks refuse every request until TWILIO_AUTH_TOKEN is set" in refusing
    local = "\n".join(banner(unsigned, "redis://x", at, local_texts=True))
    assert "texts:        to a local Twilio-compatible server" in local and "refuse" not in local
