"""`foad worker` as operators run it, and `foad worker health` telling whether it lives and keeps up."""

import json
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from models.base import utcnow
from models.outbox import OutboxItem
from tests.builders import make_ticket
from tests.worker.processes import environment, running_worker, wait_for
from worker.health import check
from worker.queues import ALL

DRILL = "2026-11-28T09:00:00+03:30"


def health(settings, *args: str, **env: str) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "foad", "worker", "health", "--json", *args],
                          env=environment(settings, **env), capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


def test_health_fails_with_no_worker_and_names_what_is_missing(runtime, settings):
    code, report = health(settings)
    assert code == 1 and report["healthy"] is False
    assert {f"no live worker listens on queue {q}" for q in ALL} <= set(report["problems"])
    assert any("scheduler" in p for p in report["problems"])
    assert any("periodic" in p for p in report["problems"])


def test_work_left_undone_too_long_is_named_and_unhealthy(runtime, settings, session):
    ticket = make_ticket(session)
    session.execute(update(OutboxItem).values(created_at=utcnow() - timedelta(minutes=90)))
    session.commit()
    code, report = health(settings)
    assert code == 1 and "1 outbox row(s) not done for more than 60 minutes" in report["problems"]
    [row] = report["outbox_stale"]["oldest"]
    assert (row["job"], row["ticket"], row["failures"]) == ("route_ticket", ticket.code, 0)
    assert row["age_minutes"] >= 90
    code, report = health(settings, "--outbox-minutes", "120")
    assert report["outbox_stale"]["count"] == 0
    assert not any("outbox" in p for p in report["problems"])


def test_a_fixed_clock_is_shown_by_health_and_warned_of_at_start(runtime, settings, tmp_path):
    report = health(settings, FOAD_FIXED_NOW=DRILL)[1]
    assert report["fixed_now"] == DRILL
    assert health(settings)[1]["fixed_now"] is None
    with running_worker(settings, tmp_path / "worker.log", FOAD_FIXED_NOW=DRILL):
        wait_for(lambda: "FOAD_FIXED_NOW is set" in (tmp_path / "worker.log").read_text(),
                 what="the warning")
    assert "WARNING" in next(line for line in (tmp_path / "worker.log").read_text().splitlines()
                             if "FOAD_FIXED_NOW is set" in line)


def test_a_running_worker_is_healthy_and_a_stopped_one_is_not(runtime, settings, tmp_path):
    with running_worker(settings, tmp_path / "worker.log") as worker:
        report = wait_for(lambda: (r := check(runtime.redis)).healthy and r, timeout=30,
                          what="a healthy worker")
        assert [w["queues"] for w in report.workers] == [list(ALL)]
        assert all(report.schedulers[q] for q in ALL) and report.last_tick_age < 15
        code, as_json = health(settings)
        assert code == 0 and as_json["healthy"] is True
    assert worker.returncode == 0  # SIGTERM: a warm shutdown
    assert not check(runtime.redis).healthy
