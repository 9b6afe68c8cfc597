"""bench/triage.py: its JSON line carries the accuracy, the share past the working group, the
times per text against their baseline, the targets and the verdicts."""

import json
import subprocess
import sys
from pathlib import Path

import bench

BENCH = Path(bench.__file__).parent / "triage.py"


def test_a_short_run_ends_with_the_figures_and_the_verdicts(bench_env):
    done = subprocess.run([sys.executable, str(BENCH), "--rounds", "1"], env=bench_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["texts"] >= 200 and figures["agencies"] > 3000 and figures["readings"] == figures["texts"]
    assert set(figures["accuracy"]) == {"sector", "agency", "category", "province", "county"}
    assert 0 < figures["referred_past_working_group"] <= 1
    assert 0 < figures["cpu"]["p50_ms"] <= figures["cpu"]["p99_ms"] <= figures["cpu"]["max_ms"]
    assert figures["targets"] == {"sector": 0.9, "province": 0.95, "invented_provinces": 0, "p99_ms": 5.0}
    met = figures["met"]
    assert met["sector"] == (figures["accuracy"]["sector"] >= 0.9)
    assert met["no_invented_province"] == (figures["invented"]["province"] == 0)
    assert met["p99_cpu"] == (figures["cpu"]["p99_ms"] < 5.0)
    assert met["p99_wall"] == (figures["wall"]["p99_ms"] < 5.0)
    assert figures["baseline_cpu"]["p50_ms"] < figures["cpu"]["p50_ms"]
