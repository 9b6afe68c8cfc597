"""`foad sms`: a text through the running web app's real webhook, signed as Twilio signs it, and
the replies the engine sent, read back from the local Twilio-compatible server `foad serve
--local-twilio` runs, or from the configured Twilio account's Messages list."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from foad.app import create_app
from foad.cli import main
from foad.devtools import local_twilio
from models.settings import Settings
from models.persian import latin_digits
from sms.providers.twilio import rest_client
from tests.console.browser import live_server
from tests.foad.test_serve import health
from tests.peers.fixtures import PUBLIC_BASE_URL, twilio_api  # noqa: F401  (a fixture)
from tests.ports import free_port
from tests.worker.processes import environment, running_worker, wait_for
from tests.worker.test_faults import provider_env

CITIZEN = "+989121234567"
COMPLAINT = "کارمند باجه ۳ ساعت نیامد"
PERSIAN_CODE = re.compile(r"[۰-۹]{3}-[۰-۹]{3}-[۰-۹]{4}")


def answers(port: int) -> bool:
    """True once the web app at `port` answers its health check."""
    try:
        return health(port) == {"database": "ok", "redis": "ok"}
    except OSError:
        return False


def foad(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "foad", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_through_foad_serve_the_reply_carries_the_tracking_code(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "TWILIO_"))}
    env["FOAD_DATA_DIR"] = str(tmp_path / "data")
    assert foad(env, "db", "upgrade").returncode == 0
    assert foad(env, "agencies", "import", "--sample").returncode == 0
    port = free_port()
    engine = subprocess.Popen([sys.executable, "-m", "foad", "serve", "--local-twilio", "--port", str(port),
                               "--fastagi-port", str(free_port())], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: answers(port), timeout=90, what="foad serve's web app")
        done = foad(env, "sms", "--from", "09121234567", "--url", f"http://127.0.0.1:{port}", COMPLAINT)
        listed = json.loads(foad(env, "tickets", "list", "--json").stdout)
    finally:
        engine.send_signal(signal.SIGTERM)
        try:
            log = engine.communicate(timeout=60)[1]
        except subprocess.TimeoutExpired:
            engine.kill()  # not left running into the next test; its services, in process groups
            engine.wait()  # of their own, hold its stderr open: no waiting for the pipe to end,
            engine.stderr.close()  # but closed here, not left to the next test's garbage collection
            raise
    assert done.returncode == 0, done.stderr + log
    sent, reply = done.stdout.splitlines()
    assert sent.startswith(f"texted 128 from {CITIZEN} (SM") and sent.endswith(f"): {COMPLAINT}")
    assert re.fullmatch(r"1[34]\d\d/\d\d/\d\d \d\d:\d\d  128: .+", reply)
    [code] = PERSIAN_CODE.findall(reply)
    assert [t["code"] for t in listed] == [latin_digits(code).replace("-", "")]
    assert "local Twilio-compatible server" in log
    assert not (tmp_path / "data" / local_twilio.FILE_NAME).exists()  # gone with the server


def test_with_twilio_configured_it_signs_for_the_public_url_and_reads_twilios_list(
        settings, runtime, twilio_api, tmp_path):  # noqa: F811  (the fixture)
    account = {**provider_env(twilio_api), "FOAD_PUBLIC_BASE_URL": PUBLIC_BASE_URL}
    runtime.settings = replace(settings, twilio=twilio_api.settings(), public_base_url=PUBLIC_BASE_URL)
    with live_server(create_app(runtime)) as url, running_worker(settings, tmp_path / "worker.log", **account):
        done = subprocess.run([sys.executable, "-m", "foad", "sms", "--from", "09121234567", "--url", url,
                               COMPLAINT], env=environment(settings, **account), capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [reply] = [m.body for m in twilio_api.messages if m.to == CITIZEN]
    shown = reply.replace("\n", " ⏎ ")  # the reply asks which service, on a line of its own
    assert done.stdout.splitlines()[1].endswith(f"  {twilio_api.settings().from_number}: {shown}")
    assert PERSIAN_CODE.search(reply)
    assert {lookup["To"] for lookup in twilio_api.lookups} == {CITIZEN}


def invoke(settings: Settings, *args: str, **env: str):
    base = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
            "FOAD_DATA_DIR": str(settings.data_dir)}
    return CliRunner().invoke(main, ["sms", *args], env={**base, **env}, catch_exceptions=False)


def test_without_twilio_or_a_local_server_it_says_to_start_one(settings):
    result = invoke(settings, "--from", "09121234567", "سلام")
    assert result.exit_code == 1
    assert "no SMS provider" in result.output and "make run" in result.output


def test_with_nothing_at_the_url_it_says_to_start_the_engine(settings, twilio_api):  # noqa: F811
    result = invoke(settings, "--from", "09121234567", "--url", f"http://127.0.0.1:{free_port()}", "سلام",
                    **provider_env(twilio_api))
    assert result.exit_code == 1 and "start `foad serve`" in result.output


def test_a_web_app_with_another_token_refuses_the_text_and_it_says_why(settings, runtime, twilio_api):  # noqa: F811
    runtime.settings = replace(settings, twilio=twilio_api.settings(auth_token="rotated"))
    with live_server(create_app(runtime)) as url:
        result = invoke(settings, "--from", "09121234567", "--url", url, "سلام", **provider_env(twilio_api))
    assert result.exit_code == 1 and "refused the signature (403)" in result.output


def test_a_sender_that_is_no_number_is_refused(settings, twilio_api):  # noqa: F811
    result = invoke(settings, "--from", "anonymous", "سلام", **provider_env(twilio_api))
    assert result.exit_code == 1 and "'anonymous' is not a phone number" in result.output


def test_the_local_server_is_not_started_when_twilio_is_configured(settings, twilio_api):  # noqa: F811
    with local_twilio.serving(replace(settings, twilio=twilio_api.settings())) as env:
        assert env == {} and local_twilio.running(settings.data_dir) is None


def test_the_local_server_leaves_its_token_to_its_owner_while_it_runs(settings):
    path = settings.data_dir / local_twilio.FILE_NAME
    with local_twilio.serving(settings) as env:
        twilio = local_twilio.running(settings.data_dir)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert env == local_twilio.environment(twilio) and twilio.from_number == settings.service_number
        assert rest_client(twilio).messages.list(limit=1) == []  # it answers, as Twilio, to that account
    assert local_twilio.running(settings.data_dir) is None and not path.exists()
