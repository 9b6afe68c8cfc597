"""`make bench`: every bench on PostgreSQL (throwaway schemas) and embedded Redis servers of
their own, then one table of each figure beside its baseline, their ratio and the target,
and one line of JSON.

    .venv/bin/python bench/all.py [--quick] [--only cost,smpp,...]

The benches: what a complaint costs (cost, intake, pipeline, drill), each channel's edge
(sms_webhook, agi_load, smpp, open311), reading and finding complaints (triage, search,
report_cards) and the log-in's timing (login_timing).

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
    "smpp": ([], ["--seconds", "3", "--mo-seconds", "4"]),
    "open311": ([], ["--seconds", "3"]),
    "triage": (["--database"], ["--database", "--rounds", "2"]),
    "login_timing": ([], ["--runs", "5"]),
    "search": ([], ["--tickets", "20000", "--runs", "3"]),
    "report_cards": ([], ["--tickets", "20000", "--runs", "2"]),
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


Row = tuple[str, float | None, float | None, str, bool | None]


def rows(r: dict[str, dict[str, Any]]) -> list[Row]:
    """(figure, value, baseline, target, met) for the summary table."""
    return _engine_rows(r) + _channel_rows(r)


def _engine_rows(r: dict[str, dict[str, Any]]) -> list[Row]:
    """What a complaint costs the engine, and how it scales."""
    cost, intake, pipe, drill = (r.get(k, {}) for k in ("cost", "intake", "pipeline", "drill"))
    per = cost.get("per_complaint", {}).get("all", {})
    jobs = _div(cost.get("jobs"), cost.get("complaints"))
    workers, web = drill.get("worker_complaints_per_s") or {}, drill.get("web_requests_per_s") or {}
    return [
        *_cost_rows(per, jobs, intake, pipe),
        ("drill: complaints/s, 2 workers vs 1", workers.get("2"), workers.get("1"), "grows",
         _ge((drill.get("growth") or {}).get("workers"), 1.2)),
        ("drill: webhook req/s, 2 web vs 1", web.get("2"), web.get("1"), "grows",
         _ge((drill.get("growth") or {}).get("web"), 1.2)),
        *_reading_rows(r.get("triage", {}), r.get("search", {}), r.get("report_cards", {})),
    ]


def _cost_rows(per: dict[str, Any], jobs: float | None, intake: dict[str, Any], pipe: dict[str, Any]) -> list[Row]:
    return [
        ("CPU ms a complaint, end to end (cost)", per.get("cpu_ms"), None, "<= 12", _le(per.get("cpu_ms"), 12)),
        ("SQL round trips a complaint (cost)", per.get("sql"), None, "<= 15", _le(per.get("sql"), 15)),
        ("Redis commands a complaint (cost)", per.get("redis"), None, "<= 60", _le(per.get("redis"), 60)),
        ("RQ jobs a complaint (cost)", jobs, None, "1-2", _le(jobs, 2)),
        ("intake tickets/s vs raw INSERTs/s", intake.get("tickets_per_s"), intake.get("raw_inserts_per_s"),
         "ratio >= 0.35", _ge(intake.get("ratio_to_raw"), 0.35)),
        ("pipeline p99 s at 100/s, 2 workers", pipe.get("p99_s"), None, "< 1", pipe.get("met")),
        ("pipeline machine CPU ms a complaint", pipe.get("machine_cpu_ms_per_ticket"), None, "<= 12",
         _le(pipe.get("machine_cpu_ms_per_ticket"), 12)),
    ]


def _reading_rows(triage: dict[str, Any], search: dict[str, Any], cards: dict[str, Any]) -> list[Row]:
    """Reading a complaint's text, searching them, and the year's report cards."""
    met, accuracy = triage.get("met") or {}, triage.get("accuracy") or {}
    return [
        ("triage CPU p99 ms a text", (triage.get("cpu") or {}).get("p99_ms"),
         (triage.get("baseline_cpu") or {}).get("p99_ms"), "< 5", met.get("p99_cpu")),
        ("triage sector accuracy", accuracy.get("sector"), None, ">= 0.90", met.get("sector")),
        ("triage province accuracy", accuracy.get("province"), None, ">= 0.95", met.get("province")),
        ("search p99 ms, two words vs ILIKE", search.get("p99_ms"), search.get("ilike_median_ms"), "< 200",
         search.get("met")),
        ("report cards: warm build s vs cold", cards.get("warm_median_s"), cards.get("cold_s"), "< 2",
         cards.get("met")),
    ]


def _channel_rows(r: dict[str, dict[str, Any]]) -> list[Row]:
    """What each channel's edge takes."""
    edges = ("sms_webhook", "agi_load", "smpp", "open311", "login_timing")
    web, agi, smpp, o311, login = (r.get(k, {}) for k in edges)
    met = web.get("met") or {}
    return [
        ("webhook req/s vs bare route req/s", web.get("webhook_rps"), web.get("bare_rps"), "ratio >= 0.35",
         met.get("ratio")),
        ("webhook p99 ms at 200/s", web.get("webhook_p99_ms"), web.get("bare_p99_ms"), "< 50", met.get("p99")),
        ("reply SMS p99 ms at 50 texts/s", web.get("answer_reply_p99_ms"), None, "< 1000", met.get("reply_p99")),
        ("FastAGI flat-out calls/s", agi.get("flat_out_calls_per_s"), None, ">= 100",
         _ge(agi.get("flat_out_calls_per_s"), 100)),
        ("FastAGI flat-out turnaround p99 ms", agi.get("flat_out_turnaround_p99_ms"), None, "< 20",
         _le(agi.get("flat_out_turnaround_p99_ms"), 20)),
        ("SMPP submits/s vs bare smpplib", smpp.get("submits_per_s"), smpp.get("baseline_submits_per_s"),
         ">= 200", smpp.get("submits_target_met")),
        ("SMPP MO to reply p99 s at 50/s", smpp.get("p99_s"), None, "< 1", smpp.get("mo_target_met")),
        ("Open311 POST req/s vs bare route", o311.get("open311_rps"), o311.get("bare_rps"), "ratio >= 0.40",
         o311.get("share_met")),
        ("Open311 POST p99 ms at 100/s", o311.get("open311_p99_ms"), o311.get("bare_p99_ms"), "< 50",
         o311.get("p99_met")),
        ("login: unknown name vs known, CPU ms", login.get("unknown_ms"), login.get("known_wrong_ms"),
         "ratio 0.8-1.25", login.get("met")),
    ]


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
    print(f"{'figure':<40}{'value':>10}{'baseline':>10}{'ratio':>7}  {'target':<16}met")
    for figure, value, baseline, target, met in rows(results):
        ratio = _div(value, baseline)
        print(f"{figure:<40}{_fmt(value):>10}{_fmt(baseline):>10}{_fmt(ratio, 2):>7}  {target:<16}"
              f"{ {True: 'yes', False: 'NO', None: '-'}[met] }")
    print(json.dumps({"bench": "all", "load_average": round(load, 2), "results": results}))


def _fmt(value: float | None, digits: int | None = None) -> str:
    """A figure: two decimals below 10 (shares, accuracies, milliseconds), else one."""
    if value is None:
        return "-"
    return f"{value:.{digits if digits is not None else (2 if abs(value) < 10 else 1)}f}"


if __name__ == "__main__":
    main()
