"""Inbound SMS webhook under gunicorn (2 workers), beside a bare "return empty TwiML" route
under the same gunicorn settings, in one run; then how long the answer takes to reach the
citizen's phone with `foad worker` processes answering.

Acknowledgement: every request is a new text from a new number, signed as Twilio signs it
and checked by the app, which stores the message and its answer work in one transaction,
pushes the job to Redis and answers an empty TwiML (no worker runs in this part: the answer
is no part of the acknowledgement). Prints requests/s at full load, the server's CPU per
request, and p50/p99 at a fixed rate (measured from when each request was due, so a stall
counts). Both apps are served at once and their full-load runs alternate, `--rounds` of each
(default 3); the round whose throughput ratio is the median is reported, with every round's
ratio (`round_ratios`).

Answer: a fresh database and Redis, the same app, `--workers` real `foad worker` processes
and the tests' Twilio-compatible server (foad/devtools/twilio_api.py) as the SMS provider;
new complaints at `--answer-rate` for `--answer-seconds`; p50/p99/max from each webhook
request being due to its reply SMS reaching the server (the answer job, the send job and,
for each complaint, routing and the official's SMS share the workers).

    .venv/bin/python bench/sms_webhook.py [--seconds 10] [--rounds 3] [--rate 200] [--concurrency 8]
        [--answer-rate 50] [--answer-seconds 10] [--workers 2] [--fork]

DATABASE_URL (a throwaway database on that PostgreSQL server for each part) and REDIS_URL
(an empty database, emptied again after each part) are used when set; else SQLite files
and the embedded Redis in a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
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
from typing import Any, Iterator, Sequence
from urllib.parse import urlencode

from flask import Flask, Response
from redis import Redis
from twilio.request_validator import RequestValidator

# pipeline.py and intake.py, beside this, are found after the packages: bench/open311.py shares
# its name with the API's package, which foad.app imports.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE), str(HERE)]

from intake import median_round, scratch_database  # noqa: E402
from counting import process_cpu  # noqa: E402
from pipeline import TimedTwilio, percentile, wait_healthy, workers  # noqa: E402

from foad.app import create_app  # noqa: E402
from foad.embedded_redis import redis_url  # noqa: E402
from foad.runtime import make_runtime  # noqa: E402
from foad.settings import read_settings  # noqa: E402
from sms.webhook import EMPTY_TWIML  # noqa: E402

PATH = "/sms/twilio/inbound"
PUBLIC = "https://foad.example.ir"
TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
GUNICORN = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
"""The same gunicorn settings for both apps."""
TARGETS = {"ratio": 0.35, "p99_ms": 50.0, "reply_p99_ms": 1000.0, "answer_rate": 50.0}
"""Webhook throughput at least 35% of the bare route's, its p99 under 50 ms at 200/s, and the
reply SMS p99 under 1 s at 50 texts/s."""


def foad_app() -> Flask:
    """The real app, for gunicorn (`bench.sms_webhook:foad_app()`), one per worker."""
    settings = read_settings()
    return create_app(make_runtime(settings, settings.redis_url or ""))


def bare_app() -> Flask:
    """A Flask app that answers every POST with an empty TwiML response."""
    app = Flask(__name__)

    @app.post(PATH)
    def inbound() -> Response:
        return Response(EMPTY_TWIML, mimetype="text/xml")

    return app


def sender(block: int, n: int) -> str:
    """A distinct valid mobile number for each block and n."""
    return f"+98912{block * 100_000 + n:07d}"


def signed_form(block: int, n: int) -> tuple[bytes, str]:
    """A Twilio inbound-SMS form from a fresh number, and its signature."""
    sid = f"SM{block:04d}{n:028d}"
    form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT, "From": sender(block, n),
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


def send_text(port: int, block: int, n: int) -> int:
    """Text number `n` of client `block`, as Twilio posts it; the HTTP status."""
    return post(port, *signed_form(block, n))


def _closed_loop(send, port: int, block: int, seconds: float, threads: int, out) -> None:
    """Client process: `threads` requests `send(port, block, n)` in flight for `seconds`;
    reports (count, errors)."""
    stop, counts, lock = time.monotonic() + seconds, [0, 0], threading.Lock()
    forms = iter(range(10**6))

    def client() -> None:
        while time.monotonic() < stop:
            with lock:
                n = next(forms)
            ok = send(port, block, n) == 200
            with lock:
                counts[0 if ok else 1] += 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(tuple(counts))


def _open_loop(send, port: int, block: int, seconds: float, rate: float, out) -> None:
    """Client process: requests due at a fixed rate; reports each latency from its due time."""
    total = int(seconds * rate)
    latencies, errors = [], 0
    start = time.monotonic() + 0.2

    def one(n: int) -> None:
        nonlocal errors
        due = start + n / rate
        if send(port, block, n) != 200:
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


def measure(server: int, port: int, block: int, args: argparse.Namespace, send=send_text) -> dict[str, float]:
    """Throughput at full load, then latency at the fixed rate, on one running server."""
    full = full_load(server, port, block, args, send)
    paced = at_rate(port, block + 2, args, send)
    return {**full, **paced, "errors": full["errors"] + paced["errors"]}


def full_load(server: int, port: int, block: int, args: argparse.Namespace, send=send_text) -> dict[str, float]:
    """Requests a second at full load (`send` from blocks `block` and `block` + 1) and the
    server's CPU a request."""
    cpu = process_cpu([server], descendants=True)
    full = _in_processes(_closed_loop, lambda p: (send, port, block + p, args.seconds, args.concurrency), 2)
    done, failed = sum(c for c, _ in full), sum(e for _, e in full)
    cpu_ms = 1000 * (process_cpu([server], descendants=True) - cpu) / max(done, 1)
    return {"rps": done / args.seconds, "cpu_ms_per_request": cpu_ms, "errors": failed}


def at_rate(port: int, block: int, args: argparse.Namespace, send=send_text) -> dict[str, float]:
    """p50 and p99 at the fixed rate (`send` from blocks `block` and `block` + 1)."""
    paced = _in_processes(_open_loop, lambda p: (send, port, block + p, args.seconds, args.rate / 2), 2)
    latencies = sorted(x for lat, _ in paced for x in lat)
    return {"p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "errors": sum(e for _, e in paced)}


def serve(factory: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free port with `factory`; wait until it accepts connections and
    its workers have booted."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", factory]
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.1)
            continue
        # The master accepts before its workers have imported the app, which on a busy
        # machine takes seconds: that CPU and that time are no request's. Booted = idle.
        while time.monotonic() < deadline:
            before = process_cpu([server.pid], descendants=True)
            time.sleep(0.5)
            if process_cpu([server.pid], descendants=True) - before < 0.05:
                return server, port
    server.kill()
    raise RuntimeError(f"gunicorn did not start: {factory}")


@contextlib.contextmanager
def setting_up(folder: Path) -> Iterator[dict[str, str]]:
    """The app's environment: a fresh database with the sample directory, an empty Redis
    (emptied again afterwards), Twilio's signatures checked against the public URL."""
    folder.mkdir(parents=True)
    env = {**os.environ, "FOAD_DATA_DIR": str(folder), "FOAD_PUBLIC_BASE_URL": PUBLIC,
           "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN, "FOAD_LOG_LEVEL": "WARNING",
           "FOAD_SECRET_KEY": "bench", "FOAD_MAX_COMPLAINTS_PER_HOUR": "1000"}
    with scratch_database(folder) as url, redis_url(read_settings(env)) as redis:
        connection = Redis.from_url(redis)
        if connection.dbsize():
            raise SystemExit("the Redis database is not empty: give the bench one of its own")
        try:
            yield {**env, "DATABASE_URL": url, "REDIS_URL": redis}
        finally:
            connection.flushdb()
            connection.close()


class ReplyClock(TimedTwilio):
    """The tests' Twilio server, noting when the first text to each number arrives (it runs
    in this process: one clock for both ends)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_text: dict[str, float] = {}

    def _accept(self, form: dict[str, list[str]]) -> Any:
        sent = super()._accept(form)
        self.first_text.setdefault(sent.to, time.time())
        return sent


def answered(port: int, block: int, args: argparse.Namespace, api: ReplyClock) -> dict[str, float]:
    """Texts at the answer rate; from each one's due time to its reply reaching the server."""
    total, due, acks, errors = int(args.answer_rate * args.answer_seconds), {}, [], [0]
    start = time.time() + 0.2

    def one(n: int) -> None:
        body, signature = signed_form(block, n)
        due[sender(block, n)] = start + n / args.answer_rate
        if post(port, body, signature) != 200:
            errors[0] += 1
        acks.append(time.time() - due[sender(block, n)])

    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(total):
            time.sleep(max(0.0, start + n / args.answer_rate - time.time()))
            pool.submit(one, n)
    deadline = time.monotonic() + args.answer_timeout
    while not set(due) <= set(api.first_text) and time.monotonic() < deadline:
        time.sleep(0.1)
    waits = [api.first_text[number] - at for number, at in due.items() if number in api.first_text]
    return {"texts": total, "answered": len(waits), "errors": errors[0],
            "ack_p99_ms": 1000 * percentile(acks, 0.99),
            **{f"reply_{name}_ms": 1000 * (percentile(waits, share) if waits else float("nan"))
               for name, share in (("p50", 0.5), ("p99", 0.99), ("max", 1.0))}}


def answer_times(folder: Path, args: argparse.Namespace) -> dict[str, float]:
    """The answer part: the app, real workers and the Twilio stand-in on a fresh database."""
    with setting_up(folder) as env, ReplyClock() as api:
        server, port = serve("bench.sms_webhook:foad_app()", env)
        try:
            with workers(args, {**env, **api.env()}, folder):
                wait_healthy(Redis.from_url(env["REDIS_URL"]))
                return answered(port, 90, args, api)
        finally:
            server.terminate()
            server.wait()


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="each full-load and fixed-rate run")
    parser.add_argument("--rounds", type=int, default=3, help="full-load runs of each app, alternating; "
                        "the round with the median throughput ratio is reported")
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s for the latency run")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per client process")
    parser.add_argument("--answer-rate", type=float, default=50.0, help="texts/s with workers answering")
    parser.add_argument("--answer-seconds", type=float, default=10.0)
    parser.add_argument("--answer-timeout", type=float, default=300.0,
                        help="seconds to wait for the last reply")
    parser.add_argument("--workers", type=int, default=2, help="`foad worker` processes")
    parser.add_argument("--fork", action=argparse.BooleanOptionalAction, default=False,
                        help="a forked work horse per job, or (foad worker's default) not")
    return parser.parse_args()


def main() -> None:
    """Both parts, then the table and the JSON line."""
    args, load = arguments(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="foad-bench-") as tmp:
        with setting_up(Path(tmp) / "ack") as env:
            results, ratios = in_rounds(env, args)
        answers = answer_times(Path(tmp) / "answer", args)
    report(results, answers, args, "postgresql" if "postgres" in env["DATABASE_URL"] else "sqlite", load,
           ratios)


APPS = (("bare", "bench.sms_webhook:bare_app()", 10), ("webhook", "bench.sms_webhook:foad_app()", 50))
"""Each app's name, gunicorn factory and first block of senders."""


def in_rounds(env: dict[str, str], args: argparse.Namespace) -> tuple[dict[str, dict[str, float]], list[float]]:
    """Both apps served at once, their full-load runs alternating for `--rounds`, then each at
    the fixed rate. The figures of the round whose throughput ratio is the median (a noisy
    machine moves both figures of a round together far more than it moves their ratio), and
    every round's ratio."""
    servers = {name: serve(factory, env) for name, factory, _ in APPS}
    try:
        rounds = []
        for n in range(args.rounds):
            # New senders each round (a text seen before is a copy the inbox keeps once).
            rounds.append({name: full_load(servers[name][0].pid, servers[name][1], block + 4 * n, args)
                           for name, _, block in APPS})
        median = median_round(rounds, _ratio)
        results = {}
        for name, _, block in APPS:
            paced = at_rate(servers[name][1], block + 4 * args.rounds, args)
            full = median[name]
            errors = sum(r[name]["errors"] for r in rounds) + paced["errors"]
            results[name] = {**full, **paced, "errors": errors}
        return results, [_ratio(r) for r in rounds]
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()


def _ratio(one_round: dict[str, dict[str, float]]) -> float:
    """A round's webhook throughput against the bare route's."""
    return one_round["webhook"]["rps"] / one_round["bare"]["rps"]


def run(factory: str, env: dict[str, str], block: int, args: argparse.Namespace) -> dict[str, float]:
    """Serve `factory` under gunicorn and measure it."""
    server, port = serve(factory, env)
    try:
        return measure(server.pid, port, block, args)
    finally:
        server.terminate()
        server.wait()


def table(title: str, results: dict[str, dict[str, float]], rate: float, database: str, load: float) -> None:
    """The measurements of each route, a row each, under a line saying what ran where."""
    print(f"\n{title}, gunicorn {' '.join(GUNICORN)}, {database}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} before the run (on a shared machine, read this first)")
    print(f"{'route':<10}{'req/s (full load)':>20}{'server CPU ms/req':>19}"
          f"{f'p50 ms @{rate:g}/s':>18}{f'p99 ms @{rate:g}/s':>18}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<10}{r['rps']:>20.0f}{r['cpu_ms_per_request']:>19.2f}"
              f"{r['p50_ms']:>18.1f}{r['p99_ms']:>18.1f}{r['errors']:>8}")


def report(results: dict[str, dict[str, float]], answers: dict[str, float], args: argparse.Namespace,
           database: str, load: float, ratios: Sequence[float] = ()) -> None:
    """The table, what it means against the targets, and the JSON line."""
    table("inbound SMS webhook", results, args.rate, database, load)
    ratio = results["webhook"]["rps"] / results["bare"]["rps"]
    print(f"webhook / bare throughput: {ratio:.0%} (target >= {TARGETS['ratio']:.0%}); webhook p99 "
          f"{results['webhook']['p99_ms']:.1f} ms at {args.rate:g}/s (target < {TARGETS['p99_ms']:g} ms)")
    mode = "fork" if args.fork else "no-fork"
    print(f"the answer, not the acknowledgement: {answers['texts']} texts at {args.answer_rate:g}/s, "
          f"{args.workers} workers ({mode}): {answers['answered']} answered; from the webhook to the "
          f"reply SMS p50 {answers['reply_p50_ms']:.0f} ms, p99 {answers['reply_p99_ms']:.0f} ms, "
          f"max {answers['reply_max_ms']:.0f} ms (webhook p99 {answers['ack_p99_ms']:.1f} ms meanwhile); "
          f"target: reply p99 < {TARGETS['reply_p99_ms']:g} ms at {TARGETS['answer_rate']:g} texts/s")
    met = {"ratio": ratio >= TARGETS["ratio"], "p99": results["webhook"]["p99_ms"] < TARGETS["p99_ms"],
           "reply_p99": args.answer_rate >= TARGETS["answer_rate"]
           and answers["reply_p99_ms"] < TARGETS["reply_p99_ms"]}
    print(json.dumps({"database": database, "load_average": round(load, 2), "rate": args.rate,
                      "seconds": args.seconds,
                      "ratio": round(ratio, 3), "rounds": args.rounds,
                      "round_ratios": [round(r, 3) for r in ratios or [ratio]],
                      **{f"{name}_{k}": round(v, 2) for name, r in results.items() for k, v in r.items()},
                      "answer_rate": args.answer_rate, "answer_workers": args.workers, "answer_mode": mode,
                      **{f"answer_{k}": round(v, 1) for k, v in answers.items()},
                      "targets": TARGETS, "met": met}))


if __name__ == "__main__":
    main()
