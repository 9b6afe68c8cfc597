"""bench/intake.py: its JSON line carries the figures, the ratio, the target and the verdict."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import intake

BENCH = Path(intake.__file__)


def test_a_small_run_ends_with_the_figures_and_the_target(bench_env):
    done = subprocess.run([sys.executable, str(BENCH), "--tickets", "20", "--clients", "2"],
                          env=bench_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["tickets"] == 20 and figures["tickets_per_s"] > 0 and figures["raw_inserts_per_s"] > 0
    assert len(figures["round_ratios"]) == 3 and figures["ratio_to_raw"] in figures["round_ratios"]
    assert figures["ratio_to_raw"] == pytest.approx(figures["tickets_per_s"] / figures["raw_inserts_per_s"],
                                                    abs=0.002)
    assert (figures["target_tickets_per_s"], figures["target_database"]) == (500, "postgresql")
    on_postgresql = figures["database"] == "postgresql"
    assert figures["met"] == ((figures["tickets_per_s"] >= 500) if on_postgresql else None)


@pytest.mark.parametrize("database, rate, met, verdict", [
    ("postgresql", 612.0, True, "met"),
    ("postgresql", 499.9, False, "NOT met"),
    ("sqlite", 900.0, None, "no verdict on this database"),
])
def test_the_verdict_is_against_the_target_on_postgresql_only(capsys, database, rate, met, verdict):
    intake.report(database, 4, 3000, raw=2000.0, intake=rate)
    table, row, line = capsys.readouterr().out.splitlines()
    assert row.endswith(f">= 500/s on postgresql: {verdict}")
    figures = json.loads(line)
    assert figures["met"] is met and figures["ratio_to_raw"] == round(rate / 2000, 3)


def test_the_round_reported_is_the_one_with_the_median_ratio():
    # A slow machine moment halves one round's figures; the ratio's median round is kept whole.
    pairs = [(4000.0, 1200.0), (2000.0, 700.0), (3900.0, 1100.0)]
    assert intake.median_round(pairs) == (4000.0, 1200.0)  # ratios 0.30, 0.35, 0.28: 0.30 is the middle
    assert intake.median_round([(1000.0, 300.0)]) == (1000.0, 300.0)
