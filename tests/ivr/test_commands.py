"""The voice commands as a newcomer and an operator run them: foad fastagi, foad call,
foad prompts build, and the plain AGI script foad-agi."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from foad.cli import main
from foad.serve import Addresses, services
from ivr.peer.channel import Channel
from ivr.peer.dial import run_program
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from models.calls import Call
from models.outbox import Job, OutboxItem
from models.tickets import Ticket
from tests.ports import free_port, wait_for_port
from worker.outbox import job_id, relay
from worker.queues import ROUTING, queue

BIN = Path(sys.executable).parent


def environment(settings) -> dict[str, str]:
    """What an operator exports for every foad command."""
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
            "FOAD_DATA_DIR": str(settings.data_dir), "PATH": os.environ["PATH"]}


def invoke(settings, *args: str, **env: str):
    return CliRunner().invoke(main, list(args), env={**environment(settings), **env}, catch_exceptions=False)


def test_the_readme_tour_call_through_foad_fastagi(settings, session, runtime):
    port = free_port()
    server = subprocess.Popen([str(BIN / "foad"), "fastagi", "--port", str(port)], env=environment(settings),
                              stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port)
        done = subprocess.run([str(BIN / "foad"), "call", "--from", "02188776655", "--to", "128",
                               "--keys", "1 3 2 # 1", "--port", str(port)],
                              env=environment(settings), capture_output=True, text=True, timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        logs = server.communicate(timeout=30)[1]
    assert done.returncode == 0, done.stderr
    code = session.scalars(select(Ticket.code)).one()
    assert f"tracking code read out: {code} (2 times)" in done.stdout
    assert "(fa) برای ثبت شکایت تازه" in done.stdout and '>> GET DATA "foad/main_menu"' in done.stdout
    assert server.returncode == 0 and "FastAGI listening" in logs


def test_foad_call_quietly_tells_the_outcome(settings, fastagi, session):
    result = invoke(settings, "call", "--from", "+447700900123", "--to", "+989372840000",
                    "--keys", "2 2 1234567890#", "--port", str(fastagi.port), "--quiet")

    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["no tracking code read out"]
    assert "on the overseas line" in result.stdout


def test_foad_call_refuses_a_number_that_is_not_ours(settings):
    result = invoke(settings, "call", "--from", "02188776655", "--to", "110")

    assert result.exit_code == 1 and "neither the service number" in result.output


def test_foad_call_explains_a_bad_script(settings, fastagi):
    result = invoke(settings, "call", "--from", "02188776655", "--keys", "1 x", "--port", str(fastagi.port))

    assert result.exit_code == 1 and "'x': use keys" in result.output


def test_prompts_build_says_how_to_install_what_is_missing(settings, tmp_path):
    result = invoke(settings, "prompts", "build", PATH=str(tmp_path))

    assert result.exit_code == 1
    assert "espeak-ng and sox not found" in result.output and "apt-get install espeak-ng sox" in result.output


def test_foad_serve_runs_the_fastagi_server_too_on_its_own_address():
    # A public web address does not open FastAGI (which has no authentication) to the world.
    public = Addresses("0.0.0.0", 8000, fastagi_port=4574)
    assert services(public)["fastagi"] == ["fastagi", "--host", "127.0.0.1", "--port", "4574"]
    inside = Addresses("0.0.0.0", 8000, "10.0.0.2", 4574)
    assert services(inside)["fastagi"] == ["fastagi", "--host", "10.0.0.2", "--port", "4574"]


def test_foad_serve_offers_the_fastagi_address(settings):
    result = invoke(settings, "serve", "--help")

    assert "--fastagi-host" in result.output and "127.0.0.1" in result.output


def test_the_plain_agi_script_runs_the_same_flow_as_a_process(settings, session, runtime):
    setup = Setup(script=str(BIN / "foad-agi"), network=False, caller_id="02188776655", dnid="128",
                  args=("intake?line=128",), uniqueid="1795440000.91")
    channel = Channel(setup, Caller(parse("1 3 2 # 1")))

    timing = run_program([str(BIN / "foad-agi")], channel, env=environment(settings))

    row = session.scalars(select(Call).where(Call.uniqueid == "1795440000.91")).one()
    assert row.ticket is not None and channel.digits_said == [row.ticket.code] * 2
    assert timing.setup_s > 0


NOT_FOR_A_CALL = ("alembic", "rq", "console", "flask", "twilio", "gunicorn", "click", "worker", "sms")
"""Packages a plain AGI process has no use for: the CLI, migrations, the queue, the web."""


def test_the_plain_agi_script_loads_only_what_a_call_needs(settings, session, runtime, tmp_path):
    setup = Setup(script=str(BIN / "foad-agi"), network=False, caller_id="02188776655", dnid="128",
                  args=("intake?line=128",), uniqueid="1795440000.93")
    channel = Channel(setup, Caller(parse("1 3 2 # 1")))
    imports = tmp_path / "imports.txt"
    with open(imports, "wb") as log:  # CPython writes "import time: ... | module" per import
        run_program([str(BIN / "foad-agi")], channel, stderr=log.fileno(),
                    env={**environment(settings), "PYTHONPROFILEIMPORTTIME": "1"})

    loaded = {line.rsplit("|", 1)[1].strip() for line in imports.read_text().splitlines()
              if line.startswith("import time:") and "|" in line}
    assert "ivr.flows.intake" in loaded and "models.intake" in loaded
    assert not {m for m in loaded if m.split(".")[0] in NOT_FOR_A_CALL}
    row = session.scalars(select(Call).where(Call.uniqueid == "1795440000.93")).one()
    queued = session.scalars(select(OutboxItem).where(OutboxItem.ticket_id == row.ticket_id)).one()
    assert queued.job == Job.ROUTE_TICKET and queued.done_at is None  # the relay queues it
    assert relay(session, runtime.redis, grace=timedelta(0)) == 1
    assert queue(runtime.redis, ROUTING).job_ids == [job_id(queued.id)]


def test_the_plain_agi_script_takes_its_route_from_argv_not_a_forged_env(settings, session, runtime):
    from tests.ivr.test_agienv import forged_route_name

    setup = Setup(script=str(BIN / "foad-agi"), network=False, caller_id="02188776655", dnid="128",
                  args=("intake?line=128",), uniqueid="1795440000.92",
                  caller_name=forged_route_name("hangup?line=128"))
    channel = Channel(setup, Caller(parse("1 3 2 # 1")))

    run_program([str(BIN / "foad-agi")], channel, env=environment(settings))

    row = session.scalars(select(Call).where(Call.uniqueid == "1795440000.92")).one()
    assert channel.heard[0] == "foad/welcome" and row.ticket is not None  # the intake flow ran


def test_foad_call_says_when_no_fastagi_server_runs(settings):
    result = invoke(settings, "call", "--from", "02188776655", "--port", str(free_port()))

    assert result.exit_code == 1 and "start `foad fastagi`" in result.output
