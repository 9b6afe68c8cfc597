"""Open311 POST requests under gunicorn (2 workers), beside a bare Flask route answering a
fixed tracking code under the same gunicorn settings, in one run.

Every request is a new complaint from a new mobile number, posted as a GeoReport v2 client
posts it (an API key, a service code, a description, a location, a phone): the app checks the
key and both rate limits in Redis, opens the ticket through intake (its code texted, its
routing queued) with the request's details, and answers the tracking code. Prints requests/s
at full load, the server's CPU per request, and p50/p99 at a fixed rate (measured from when
each request was due, so a stall counts). Targets: at least 40% of the bare route's
throughput, p99 under 50 ms at 100 requests/s, on PostgreSQL.

    .venv/bin/python bench/open311.py [--seconds 10] [--rate 100] [--concurrency 8]

DATABASE_URL (a throwaway database on that PostgreSQL server) and REDIS_URL (an empty
database, emptied again afterwards) are used when set; else a SQLite file and the embedded
Redis in a temporary folder.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response
from sqlalchemy.orm import Session

# This script shares its name with the API's package: the repository goes first on the path
# instead of bench/ (bench.sms_webhook keeps bench/ last for its own neighbours).
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench.sms_webhook import foad_app, measure, serve, setting_up, table  # noqa: E402,F401
from models import apikeys  # noqa: E402
from models.db import make_engine  # noqa: E402

PATH = "/open311/v2/requests.json"
KEY_FILE = "open311-bench-key"
"""Where the run's API key waits for the client processes (in the run's data folder)."""
TARGET_SHARE, TARGET_P99_MS, TARGET_RATE = 0.40, 50.0, 100.0


def bare_app() -> Flask:
    """A Flask app that answers every POST with one fixed service request."""
    app = Flask(__name__)

    @app.post(PATH)
    def created() -> Response:
        return Response('[{"service_request_id":"4821930576","account_id":null}]',
                        content_type="application/json; charset=utf-8")

    return app


def send_request(port: int, block: int, n: int) -> int:
    """Service request `n` of client `block`, as a GeoReport v2 client posts it; the status."""
    form = {"api_key": os.environ["OPEN311_BENCH_KEY"], "service_code": "municipality-delay",
            "description": "کارمند باجه ۳ ساعت در محل کار حاضر نبود و صف طولانی شد",
            "lat": "35.6892", "long": "51.3890", "phone": f"+98912{block * 100_000 + n:07d}",
            "device_id": f"bench-{block}", "attribute[province]": "tehran"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", PATH, urlencode(form).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    status = conn.getresponse().status
    conn.close()
    return status


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests/s for the latency run")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per client process")
    return parser.parse_args()


def main() -> None:
    """Both routes, then the table and the JSON line."""
    args, load = arguments(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="foad-bench-") as tmp, setting_up(Path(tmp) / "open311") as env:
        env.update(FOAD_OPEN311_KEY_LIMIT="1000000/minute", FOAD_OPEN311_ADDRESS_LIMIT="1000000/minute")
        engine = make_engine(env["DATABASE_URL"])
        with Session(engine) as session:
            os.environ["OPEN311_BENCH_KEY"] = apikeys.add_key(session, "bench")[1]
        engine.dispose()
        results = {name: run(factory, env, block, args) for name, factory, block in
                   (("bare", "bench.open311:bare_app()", 10), ("open311", "bench.open311:foad_app()", 50))}
    report(results, args, "postgresql" if "postgres" in env["DATABASE_URL"] else "sqlite", load)


def run(factory: str, env: dict[str, str], block: int, args: argparse.Namespace) -> dict[str, float]:
    """Serve `factory` under gunicorn and measure it."""
    server, port = serve(factory, env)
    try:
        return measure(server.pid, port, block, args, send=send_request)
    finally:
        server.terminate()
        server.wait()


def report(results: dict[str, dict[str, float]], args: argparse.Namespace, database: str, load: float) -> None:
    """The table, the targets and whether this run met them, and the JSON line."""
    table("Open311 POST requests", results, args.rate, database, load)
    share = results["open311"]["rps"] / results["bare"]["rps"]
    p99 = results["open311"]["p99_ms"]
    on_target = database == "postgresql" and args.rate >= TARGET_RATE
    print(f"open311 / bare throughput: {share:.0%} (target >= {TARGET_SHARE:.0%}); p99 {p99:.1f} ms at "
          f"{args.rate:g}/s (target < {TARGET_P99_MS:g} ms at {TARGET_RATE:g}/s on PostgreSQL)")
    print(json.dumps({
        "database": database, "load_average": round(load, 2), "rate": args.rate, "seconds": args.seconds,
        "share": round(share, 3), **{f"{name}_{k}": round(v, 2) for name, r in results.items() for k, v in r.items()},
        "target_share": TARGET_SHARE, "target_p99_ms": TARGET_P99_MS, "target_rate": TARGET_RATE,
        "share_met": share >= TARGET_SHARE if on_target else None,
        "p99_met": p99 < TARGET_P99_MS if on_target else None}))


if __name__ == "__main__":
    main()
