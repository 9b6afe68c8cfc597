"""The SMPP link against the local SMSC: sustained submits a second, and MO-to-reply latency.

    .venv/bin/python bench/smpp.py [--seconds 10] [--senders 20] [--rate 50] [--mo-seconds 20]
                                   [--workers 2] [--fork] [--logs DIR]

Runs the tests' SMSC (tests/peers/smsc.py: smpplib's PDUs over real TCP) in this process and
a real `foad smpp` process bound to it (window 10, no TPS limit of ours: the SMSC's throttle
off). Submits: `--senders` threads hand texts to the link through the SMPP provider, as send
jobs do (Redis to the link, the journal, submit_sm, submit_sm_resp, the answer back), for
`--seconds`; the baseline is a bare smpplib client keeping 10 submit_sm outstanding on its
own bind, in the same run. MO to reply: with `--workers` `foad worker` processes, the SMSC
delivers texts from new numbers at `--rate` a second for `--mo-seconds`; each is timed from
its deliver_sm to the submit_sm of the reply to its sender (a text never answered by the end
counts as never), and, for the link's own share, to its deliver_sm_resp (sent once the text is
committed). Each text costs the workers four jobs (answer, route, the reply, the official's
text). Uses DATABASE_URL (a throwaway schema on that PostgreSQL server) or a
SQLite file, and REDIS_URL (an empty database) or the embedded Redis. Prints a table, then
one line of JSON with the targets (>= 200 submits/s; p99 < 1 s at 50 MO/s) and whether the
run met them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smpplib.client import Client  # noqa: E402
from smpplib.smpp import make_pdu  # noqa: E402

from foad.embedded_redis import redis_url  # noqa: E402
from foad.runtime import make_runtime  # noqa: E402
from models.runtime import Runtime
from foad.settings import read_settings  # noqa: E402
from intake import scratch_database  # noqa: E402  (bench/intake.py, beside this file)
from pipeline import percentile, wait_healthy, workers  # noqa: E402
from sms.providers.smpp import SmppProvider  # noqa: E402
from sms.smpp import bridge  # noqa: E402
from tests.peers.smsc import PASSWORD, SYSTEM_ID, Smsc, Submitted  # noqa: E402

TARGET = {"submits_per_s": 200.0, "window": 10, "mo_p99_s": 1.0, "mo_rate_per_s": 50.0}
"""The issue's targets: >= 200 submits/s on one bind with a window of 10; MO-to-reply p99
under 1 s at 50 MO/s."""


class Stamped(dict):
    """The SMSC's record of deliver_sm answers, noting when each came."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[int, float] = {}

    def __setitem__(self, sequence: int, status: int) -> None:
        self.at[sequence] = time.time()
        super().__setitem__(sequence, status)


class TimedSmsc(Smsc):
    """The local SMSC, noting when the first text to each number reaches it, and when the
    link answers each deliver_sm (stored and committed)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_to: dict[str, float] = {}
        self.delivered = Stamped()

    def _take(self, submitted: Submitted) -> str:
        self.first_to.setdefault(submitted.destination, time.time())
        return super()._take(submitted)


def smpp_env(smsc: Smsc) -> dict[str, str]:
    """What an operator sets to bind to the SMSC (here the local one), the throttle off."""
    return {"FOAD_SMPP_HOST": "127.0.0.1", "FOAD_SMPP_PORT": str(smsc.port), "FOAD_SMPP_SYSTEM_ID": SYSTEM_ID,
            "FOAD_SMPP_PASSWORD": PASSWORD, "FOAD_SMPP_TPS": "0", "FOAD_SMPP_WINDOW": "10",
            "FOAD_SMS_ROUTES": "+98=smpp,*=smpp"}


@contextlib.contextmanager
def foad_smpp(env: dict[str, str], logs: Path) -> Iterator[None]:
    """A `foad smpp` process, stopped with SIGTERM at the end."""
    child = subprocess.Popen([sys.executable, "-m", "foad", "smpp"], env=env,
                             stdout=open(logs / "smpp.log", "wb"), stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)


def wait_bound(runtime: Runtime, timeout: float = 30) -> None:
    """Until the link says it is bound."""
    deadline = time.monotonic() + timeout
    while not runtime.redis.exists(bridge.BOUND):
        if time.monotonic() > deadline:
            raise SystemExit("foad smpp did not bind; see its log")
        time.sleep(0.1)


def submits_through_the_link(runtime: Runtime, args: argparse.Namespace) -> float:
    """Texts a second handed to the link by `--senders` threads and taken by the SMSC."""
    provider, done, stop = SmppProvider(runtime.redis, 10.0), [0] * args.senders, time.monotonic() + args.seconds

    def sender(n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            provider.send(f"+98912{n:03d}{i:04d}", f"bench {n} {i}", f"{n * 1_000_000 + i}")
            done[n], i = done[n] + 1, i + 1

    started = time.monotonic()
    threads = [threading.Thread(target=sender, args=(n,)) for n in range(args.senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def bare_smpplib(smsc: Smsc, seconds: float, window: int = 10) -> float:
    """The baseline: submit_sm a second from a bare smpplib client, `window` outstanding."""
    client = Client("127.0.0.1", smsc.port, allow_unknown_opt_params=True)
    client.connect()
    client.bind_transceiver(system_id=SYSTEM_ID, password=PASSWORD)
    free, answered = threading.Semaphore(window), [0]

    def read() -> None:
        while True:
            pdu = client.read_pdu()
            if pdu.command == "submit_sm_resp":
                answered[0] += 1
                free.release()
            elif pdu.command == "unbind_resp":
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        free.acquire()
        client.send_pdu(make_pdu("submit_sm", client=client, source_addr="128", dest_addr_ton=1, dest_addr_npi=1,
                                 destination_addr="989120000000", short_message=b"baseline", registered_delivery=1))
    elapsed = time.monotonic() - started
    client.send_pdu(make_pdu("unbind", client=client))
    reader.join(10)
    client.disconnect()
    return answered[0] / elapsed


def mo_to_reply(smsc: TimedSmsc, args: argparse.Namespace) -> dict[str, float]:
    """Texts from new numbers at `--rate`; seconds from each deliver_sm to its reply's submit_sm."""
    total, sent, acked = int(args.rate * args.mo_seconds), {}, {}
    start = time.monotonic() + 0.5
    for i in range(total):
        delay = start + i / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        number = f"98935{i:07d}"
        sent[number] = time.time()
        acked[smsc.deliver(number, "چراغ راهنمایی خیابان ولیعصر خاموش است", wait=False)] = sent[number]
    deadline = time.monotonic() + 60
    while not set(sent) <= set(smsc.first_to) and time.monotonic() < deadline:
        time.sleep(0.1)
    latencies = [smsc.first_to[n] - t if n in smsc.first_to else float("inf") for n, t in sent.items()]
    stored = [smsc.delivered.at.get(seq, float("inf")) - t for seq, t in acked.items()]
    return {"mo": total, "answered": sum(v != float("inf") for v in latencies),
            "p50_s": percentile(latencies, 0.50), "p99_s": percentile(latencies, 0.99),
            "stored_p99_s": percentile(stored, 0.99)}


def measure(args: argparse.Namespace, folder: Path, url: str) -> dict[str, Any]:
    """Run both measurements once; their figures."""
    base = read_settings({**os.environ, "DATABASE_URL": url, "FOAD_DATA_DIR": str(folder)})
    logs = args.logs or folder
    logs.mkdir(parents=True, exist_ok=True)
    with TimedSmsc() as smsc, redis_url(base) as redis:
        runtime = make_runtime(base, redis)
        if runtime.redis.dbsize():
            raise SystemExit("the Redis database is not empty: give the bench one of its own")
        env = {**os.environ, **smpp_env(smsc), "DATABASE_URL": url, "REDIS_URL": redis,
               "FOAD_DATA_DIR": str(folder), "FOAD_LOG_LEVEL": args.log_level}
        baseline = bare_smpplib(smsc, args.seconds)
        with foad_smpp(env, logs):
            wait_bound(runtime)
            rate = submits_through_the_link(runtime, args)
            with workers(args, env, logs):
                wait_healthy(runtime.redis)
                mo = mo_to_reply(smsc, args)
        runtime.close()
    return {"submits_per_s": rate, "baseline_submits_per_s": baseline, **mo}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="How long the submits run.")
    parser.add_argument("--senders", type=int, default=20, help="Threads handing texts to the link.")
    parser.add_argument("--rate", type=float, default=50, help="Texts from phones a second.")
    parser.add_argument("--mo-seconds", type=float, default=20, help="How long texts come in.")
    parser.add_argument("--workers", type=int, default=2, help="foad worker processes.")
    parser.add_argument("--fork", action=argparse.BooleanOptionalAction, default=False,
                        help="A forked work horse per job, or (foad worker's default) not.")
    parser.add_argument("--logs", type=Path, help="Keep the processes' logs here.")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args()


def report(figures: dict[str, Any], args: argparse.Namespace) -> None:
    """The table, then one line of JSON."""
    submits_met = figures["submits_per_s"] >= TARGET["submits_per_s"]
    mo_met = args.rate >= TARGET["mo_rate_per_s"] and figures["p99_s"] < TARGET["mo_p99_s"]
    print(f"{'measure':<44} {'value':>10}")
    print(f"{'submits/s through foad smpp (window 10)':<44} {figures['submits_per_s']:>10.0f}")
    print(f"{'baseline: bare smpplib client (window 10)':<44} {figures['baseline_submits_per_s']:>10.0f}")
    print(f"{'MO answered / sent':<44} {figures['answered']:>5}/{figures['mo']:<4}")
    print(f"{'MO to reply p50 (s)':<44} {figures['p50_s']:>10.3f}")
    print(f"{'MO to reply p99 (s)':<44} {figures['p99_s']:>10.3f}")
    print(f"{'MO stored and acknowledged by the link p99 (s)':<44} {figures['stored_p99_s']:>10.3f}")
    print(f"{'machine load average (1 min) at the end':<44} {os.getloadavg()[0]:>10.1f}")
    print(f"targets: >= {TARGET['submits_per_s']:.0f} submits/s: {'met' if submits_met else 'NOT met'}; "
          f"MO p99 < {TARGET['mo_p99_s']} s at {TARGET['mo_rate_per_s']:.0f}/s: {'met' if mo_met else 'NOT met'}")
    print(json.dumps({**{k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()},
                      "rate_per_s": args.rate, "workers": args.workers, "target": TARGET,
                      "submits_target_met": submits_met, "mo_target_met": mo_met}))


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(Path(tmp)) as url:
        report(measure(args, Path(tmp), url), args)


if __name__ == "__main__":
    main()
