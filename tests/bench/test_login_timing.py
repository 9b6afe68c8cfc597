"""bench/login_timing.py: its JSON line carries each kind of attempt's time, the ratios and the verdict."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import login_timing

BENCH = Path(login_timing.__file__)


def test_a_small_run_ends_with_the_figures_and_the_target(bench_env):
    done = subprocess.run([sys.executable, str(BENCH), "--runs", "2"], env=bench_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["runs"] == 2 and figures["target_ratio"] == [0.8, 1.25]
    assert figures["unknown_ratio"] == pytest.approx(figures["unknown_ms"] / figures["known_wrong_ms"], abs=0.002)
    low, high = figures["target_ratio"]
    assert figures["met"] == all(low <= figures[k] <= high for k in ("unknown_ratio", "deactivated_ratio"))
