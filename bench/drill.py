"""Scale-out drill: throughput grows with processes. Complaints flat out through 1, then 2
`foad worker` processes (each its own Redis connections), and the SMS webhook under 1, then
2 `foad web` worker processes (one per core): complaints and requests a second with each.

    .venv/bin/python bench/drill.py [--seconds 10] [--rate 300]

The worker part is bench/pipeline.py at a rate above what the workers carry (`--rate`; on a
quiet 2-core machine one worker carries about 140 a second, so 100 was not above it), so
the delivered complaints a second are the workers' ceiling; the web part is
bench/sms_webhook.py's full-load run. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, beside this

import pipeline  # noqa: E402
import sms_webhook  # noqa: E402
from intake import scratch_database  # noqa: E402


def workers_ceiling(count: int, args: argparse.Namespace) -> float:
    """Complaints a second `count` workers carried (officials texted over the run)."""
    run = pipeline.arguments(["--rate", str(args.rate), "--seconds", str(args.seconds),
                              "--workers", str(count), "--sms-texts", "0"])
    with tempfile.TemporaryDirectory() as folder, scratch_database(Path(folder)) as url:
        figures = pipeline.measure(run, Path(folder), url)
    return figures["delivered"] / figures["elapsed_s"]


def web_ceiling(count: int, args: argparse.Namespace) -> float:
    """Webhook requests a second with `count` gunicorn workers, full load."""
    sms_webhook.GUNICORN[1] = str(count)
    run = argparse.Namespace(seconds=args.seconds, concurrency=8, rate=50.0)
    with tempfile.TemporaryDirectory(prefix="foad-drill-") as tmp, \
            sms_webhook.setting_up(Path(tmp) / "web") as env:
        return sms_webhook.run("bench.sms_webhook:foad_app()", env, 20 + count, run)["rps"]


def main() -> None:
    """Both parts, the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="complaints/s offered to the workers "
                        "(more than they carry)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    worker_rates = {n: workers_ceiling(n, args) for n in (1, 2)}
    web_rates = {n: web_ceiling(n, args) for n in (1, 2)}
    print(f"scale-out drill, {os.cpu_count()} CPUs, load average {load:.1f} before the run")
    print(f"{'processes':>10}{'complaints/s (workers)':>24}{'webhook req/s (web)':>22}")
    for n in (1, 2):
        print(f"{n:>10}{worker_rates[n]:>24.1f}{web_rates[n]:>22.0f}")
    growth = {"workers": worker_rates[2] / worker_rates[1], "web": web_rates[2] / web_rates[1]}
    print(f"2 processes against 1: workers x{growth['workers']:.2f}, web x{growth['web']:.2f}")
    print(json.dumps({"bench": "drill", "load_average": round(load, 2),
                      "worker_complaints_per_s": {str(n): round(v, 1) for n, v in worker_rates.items()},
                      "web_requests_per_s": {str(n): round(v, 1) for n, v in web_rates.items()},
                      "growth": {k: round(v, 2) for k, v in growth.items()}}))


if __name__ == "__main__":
    main()
