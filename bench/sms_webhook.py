"""Inbound SMS webhook under gunicorn (2 workers), beside a bare "return empty TwiML" route
under the same gunicorn settings, in one run.

Every request is a new complaint from a new number (a ticket, its timeline, routing work
pushed to Redis, the stored reply): the heaviest thing the webhook does. Requests are
signed as Twilio signs them and checked by the app. Prints requests/s at full load, and
p50/p99 at a fixed rate (measured from when each request was due, so a stall counts).

    .venv/bin/python bench/sms_webhook.py [--seconds 10] [--rate 200] [--concurrency 8]

DATABASE_URL and REDIS_URL are used when set; else a SQLite file and the embedded Redis
in a temporary data directory.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from foad.app import create_app
from foad.embedded_redis import EmbeddedRedis
from foad.runtime import Runtime
from foad.settings import Settings
from models.db import make_engine
from models.directory import SAMPLE, import_csv
from models.migrate import upgrade

PATH = "/sms/twilio/inbound"
PUBLIC = "https://foad.example.ir"
TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
GUNICORN = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
"""The same gunicorn settings for both apps."""


def foad_app() -> Flask:
    """The real app, for gunicorn (`bench.sms_webhook:foad_app()`), one per worker."""
    settings = Settings.from_env()
    return create_app(Runtime(settings, settings.redis_url or ""))


def bare_app() -> Flask:
    """A Flask app that answers every POST with an empty TwiML response."""
    app = Flask(__name__)

    @app.post(PATH)
    def inbound() -> Response:
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response />', mimetype="text/xml")

    return app


def signed_form(sender_block: int, n: int) -> tuple[bytes, str]:
    """A Twilio inbound-SMS form from a fresh number, and its signature."""
    sid = f"SM{sender_block:04d}{n:028d}"
    sender = f"+98912{sender_block * 100_000 + n:07d}"  # a distinct valid mobile each time
    form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT, "From": sender,
            "To": "+98128", "Body": "کارمند باجه ۳ ساعت در محل کار حاضر نبود و صف طولانی شد",
            "NumMedia": "0", "NumSegments": "2", "FromCountry": "IR"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + PATH, form)
    return urlencode(form).encode(), signature


def post(port: int, body: bytes, signature: str) -> int:
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", PATH, body, {"Content-Type": "application/x-www-form-urlencoded",
                                      "X-Twilio-Signature": signature})
    status = conn.getresponse().status
    conn.close()
    return status


def _closed_loop(port: int, block: int, seconds: float, threads: int, out) -> None:
    """Client process: `threads` requests in flight for `seconds`; reports (count, errors)."""
    stop, counts, lock = time.monotonic() + seconds, [0, 0], threading.Lock()
    forms = iter(range(10**6))

    def client() -> None:
        while time.monotonic() < stop:
            with lock:
                n = next(forms)
            ok = post(port, *signed_form(block, n)) == 200
            with lock:
                counts[0 if ok else 1] += 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(tuple(counts))


def _open_loop(port: int, block: int, seconds: float, rate: float, out) -> None:
    """Client process: requests due at a fixed rate; reports each latency from its due time."""
    total = int(seconds * rate)
    forms = [signed_form(block, n) for n in range(total)]
    latencies, errors = [], 0
    start = time.monotonic() + 0.2

    def one(n: int) -> None:
        nonlocal errors
        due = start + n / rate
        if post(port, *forms[n]) != 200:
            errors += 1
        latencies.append(time.monotonic() - due)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for n in range(total):
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
            pool.submit(one, n)
    out.put((latencies, errors))


def _in_processes(target, args_for, processes: int) -> list:
    queue = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=target, args=(*args_for(p), queue))
             for p in range(processes)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    return results


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by gunicorn's master and its workers (Linux /proc).

    Other work on a shared machine changes requests/s; it barely changes this."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure(server: int, port: int, block: int, args: argparse.Namespace) -> dict[str, float]:
    """Throughput at full load, then latency at the fixed rate, on one running server."""
    cpu = cpu_seconds(server)
    full = _in_processes(_closed_loop, lambda p: (port, block + p, args.seconds, args.concurrency), 2)
    done, failed = sum(c for c, _ in full), sum(e for _, e in full)
    cpu_ms = 1000 * (cpu_seconds(server) - cpu) / max(done, 1)
    paced = _in_processes(_open_loop, lambda p: (port, block + 2 + p, args.seconds, args.rate / 2), 2)
    latencies = sorted(x for lat, _ in paced for x in lat)
    errors = failed + sum(e for _, e in paced)
    return {"rps": done / args.seconds, "cpu_ms_per_request": cpu_ms, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "errors": errors}


def serve(factory: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free port with `factory`; wait until it accepts connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", factory]
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            time.sleep(1.0)  # both workers booted
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"gunicorn did not start: {factory}")


def prepare(data_dir: Path) -> dict[str, str]:
    """The environment of the app under test: a migrated database with the sample directory."""
    env = {**os.environ, "FOAD_DATA_DIR": str(data_dir), "FOAD_PUBLIC_BASE_URL": PUBLIC,
           "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN, "FOAD_LOG_LEVEL": "WARNING",
           "FOAD_SECRET_KEY": "bench"}
    env.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'bench.sqlite3'}")
    settings = Settings.from_env(env)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        import_csv(session, SAMPLE)
    engine.dispose()
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s for the latency run")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per client process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="foad-bench-") as tmp:
        redis = None if os.environ.get("REDIS_URL") else EmbeddedRedis(Path(tmp)).start()
        env = prepare(Path(tmp))
        if redis is not None:
            env["REDIS_URL"] = redis.url
        try:
            results = {name: run(factory, env, block, args) for name, factory, block in
                       (("bare", "bench.sms_webhook:bare_app()", 10), ("webhook", "bench.sms_webhook:foad_app()", 50))}
        finally:
            if redis is not None:
                redis.stop()
    report(results, args, "postgresql" if "postgres" in env["DATABASE_URL"] else "sqlite")


def run(factory: str, env: dict[str, str], block: int, args: argparse.Namespace) -> dict[str, float]:
    server, port = serve(factory, env)
    try:
        return measure(server.pid, port, block, args)
    finally:
        server.terminate()
        server.wait()


def report(results: dict[str, dict[str, float]], args: argparse.Namespace, database: str) -> None:
    print(f"\ninbound SMS webhook, gunicorn {' '.join(GUNICORN)}, {database}, {os.cpu_count()} CPUs")
    print(f"{'route':<10}{'req/s (full load)':>20}{'server CPU ms/req':>19}"
          f"{f'p50 ms @{args.rate:g}/s':>18}{f'p99 ms @{args.rate:g}/s':>18}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<10}{r['rps']:>20.0f}{r['cpu_ms_per_request']:>19.2f}"
              f"{r['p50_ms']:>18.1f}{r['p99_ms']:>18.1f}{r['errors']:>8}")
    ratio = results["webhook"]["rps"] / results["bare"]["rps"]
    print(f"webhook / bare throughput: {ratio:.0%} (target >= 50%); webhook p99 "
          f"{results['webhook']['p99_ms']:.1f} ms at {args.rate:g}/s (target < 50 ms)")
    print(json.dumps({"database": database, "rate": args.rate, "seconds": args.seconds,
                      "ratio": round(ratio, 3),
                      **{f"{name}_{k}": round(v, 2) for name, r in results.items() for k, v in r.items()}}))


if __name__ == "__main__":
    main()
