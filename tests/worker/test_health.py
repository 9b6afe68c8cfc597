"""`foad worker` as operators run it, and `foad worker health` telling whether it lives."""

import json
import subprocess
import sys

from tests.worker.processes import environment, running_worker, wait_for
from worker.health import check
from worker.queues import ALL


def health(settings) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "foad", "worker", "health", "--json"],
                          env=environment(settings), capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


def test_health_fails_with_no_worker_and_names_what_is_missing(runtime, settings):
    code, report = health(settings)
    assert code == 1 and report["healthy"] is False
    assert {f"no live worker listens on queue {q}" for q in ALL} <= set(report["problems"])
    assert any("scheduler" in p for p in report["problems"])
    assert any("periodic" in p for p in report["problems"])


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
