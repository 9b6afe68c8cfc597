"""`make bench`: every bench on PostgreSQL (throwaway schemas) and embedded Redis servers of
their own, then one table of each figure beside its baseline, their ratio and the target,
and one line of JSON.

    .venv/bin/python bench/all.py [--quick]

DATABASE_URL names the PostgreSQL server (default: the local one, database "test"); REDIS_URL
is ignored (each bench starts its own Redis, so nothing else's data is touched). `--quick`
runs each bench shorter (a smoke run, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"
RUNS: dict[str, tuple[list[str], list[str]]] = {
    # bench: (arguments, quick arguments)
    "cost": ([], ["--complaints", "100", "--warm-up", "20"]),
    "intake": ([], ["--tickets", "2000"]),
    "pipeline": ([], ["--seconds", "5"]),
    "sms_webhook": ([], ["--seconds", "4", "--answer-seconds", "4"]),
    "agi_load": ([], ["--calls", "100", "--concurrency", "50"]),
    "drill": ([], ["--seconds", "4", "--rate", "50"]),
}


def run(name: str, quick: bool, env: dict[str, str]) -> dict[str, Any]:
    """Run one bench, passing its table through; its JSON line."""
    full, short = RUNS[name]
    print(f"\n=== {name} ===", flush=True)
    done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *(short if quick else full)],
                          env=env, cwd=HERE.parent, stdout=subprocess.PIPE, text=True)
    print(done.stdout, end="", flush=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"exit code {done.returncode}"}
    return json.loads(lines[-1])


def rows(r: dict[str, dict[str, Any]]) -> list[tuple[str, float | None, float | None, str, bool | None]]:
    """(figure, value, baseline, target, met) for the summary table."""
    cost, intake, pipe, web, agi, drill = (r.get(k, {}) for k in RUNS)
    per = cost.get("per_complaint", {}).get("all", {})
    out = [
        ("CPU ms a complaint, end to end (cost)", per.get("cpu_ms"), None, "<= 12", _le(per.get("cpu_ms"), 12)),
        ("SQL round trips a complaint (cost)", per.get("sql"), None, "<= 15", _le(per.get("sql"), 15)),
        ("Redis commands a complaint (cost)", per.get("redis"), None, "<= 60", _le(per.get("redis"), 60)),
        ("RQ jobs a complaint (cost)", _div(cost.get("jobs"), cost.get("complaints")), None, "1-2",
         _le(_div(cost.get("jobs"), cost.get("complaints")), 2)),
        ("intake tickets/s vs raw INSERTs/s", intake.get("tickets_per_s"), intake.get("raw_inserts_per_s"),
         "ratio >= 0.35", _ge(intake.get("ratio_to_raw"), 0.35)),
        ("pipeline p99 s at 100/s, 2 workers", pipe.get("p99_s"), None, "< 1", pipe.get("met")),
        ("pipeline machine CPU ms a complaint", pipe.get("machine_cpu_ms_per_ticket"), None, "<= 12",
         _le(pipe.get("machine_cpu_ms_per_ticket"), 12)),
        ("webhook req/s vs bare route req/s", web.get("webhook_rps"), web.get("bare_rps"), "ratio >= 0.35",
         (web.get("met") or {}).get("ratio")),
        ("webhook p99 ms at 200/s", web.get("webhook_p99_ms"), web.get("bare_p99_ms"), "< 50",
         (web.get("met") or {}).get("p99")),
        ("reply SMS p99 ms at 50 texts/s", web.get("answer_reply_p99_ms"), None, "< 1000",
         (web.get("met") or {}).get("reply_p99")),
        ("FastAGI flat-out calls/s", agi.get("flat_out_calls_per_s"), None, ">= 100",
         _ge(agi.get("flat_out_calls_per_s"), 100)),
        ("FastAGI flat-out turnaround p99 ms", agi.get("flat_out_turnaround_p99_ms"), None, "< 20",
         _le(agi.get("flat_out_turnaround_p99_ms"), 20)),
        ("drill: complaints/s, 2 workers vs 1", (drill.get("worker_complaints_per_s") or {}).get("2"),
         (drill.get("worker_complaints_per_s") or {}).get("1"), "grows", _ge((drill.get("growth") or {}).get("workers"), 1.2)),
        ("drill: webhook req/s, 2 web vs 1", (drill.get("web_requests_per_s") or {}).get("2"),
         (drill.get("web_requests_per_s") or {}).get("1"), "grows", _ge((drill.get("growth") or {}).get("web"), 1.2)),
    ]
    return out


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _le(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _ge(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def main() -> None:
    """Run them all, then the summary table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test, not a measurement")
    parser.add_argument("--only", help="comma-separated benches to run (default: all)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    names = args.only.split(",") if args.only else list(RUNS)
    load = os.getloadavg()[0]
    results = {name: run(name, args.quick, env) for name in names}
    print(f"\n=== summary: {os.cpu_count()} CPUs, load average {load:.1f} at the start ===")
    print(f"{'figure':<40}{'value':>10}{'baseline':>10}{'ratio':>7}  {'target':<14}met")
    for figure, value, baseline, target, met in rows(results):
        ratio = _div(value, baseline)
        print(f"{figure:<40}{_fmt(value):>10}{_fmt(baseline):>10}{_fmt(ratio, 2):>7}  {target:<14}"
              f"{ {True: 'yes', False: 'NO', None: '-'}[met] }")
    print(json.dumps({"bench": "all", "load_average": round(load, 2), "results": results}))


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    main()
