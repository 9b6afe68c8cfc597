"""Concurrent calls against `foad fastagi`, beside the same call as a process per call (plain AGI).

    .venv/bin/python bench/agi_load.py [--calls N] [--concurrency C] [--pace P] [--process-calls M]

Starts `foad fastagi` as its own process on a scratch database (DATABASE_URL's server, or a
SQLite file) and Redis (REDIS_URL, or the embedded one), then plays Asterisk for N calls, C
at a time, from one asyncio process: each call is a whole complaint (menu, service,
category, 20 s of recording, submit, the code read twice) and then its hangup handler,
exactly as the dialplan runs them. `--pace` scales the simulated time of prompts and
recordings: 1 is real time (a complaint call lasts about 70 s, so 200 calls at once make
about 3 calls a second); the default 0.25 plays them four times as fast, four times the
calls a second. A second run goes flat out (pace 0): the most calls a second, with the
latency of a saturated server. Then M calls run one by one through each of FastAGI and
`foad-agi` (a process per call) to compare set-up costs.

Turnaround is measured where Asterisk would see it: from a reply sent to the next command
received, for every command of every call (the env block to the first command is set-up).
The client runs in one process on the same two cores, so its own delays count against us.
Prints a table, then one line of JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from counting import process_cpu  # noqa: E402  (bench/counting.py)
from intake import scratch_database  # noqa: E402  (bench/intake.py)

from foad.embedded_redis import redis_url  # noqa: E402
from foad.settings import read_settings  # noqa: E402
from ivr.peer.channel import Channel  # noqa: E402
from ivr.peer.dial import Conversation, Timing, hangup_handler, incoming, place_call, run_program  # noqa: E402
from ivr.peer.script import Caller, parse  # noqa: E402
from ivr.peer.setup import Setup  # noqa: E402

KEYS = "1 3 2 #@20 1"
"""A Tehran landline's complaint: new complaint, sector 3, category 2, 20 s told, submit."""
CALL_SECONDS = 70
"""About how long that call lasts in simulated time (prompts, the recording, the code twice)."""
BIN = Path(sys.executable).parent
TARGET_CONCURRENCY = 200
"""Calls at once the turnaround target is set for."""
TARGET_P99_MS = 10.0
"""Per-command turnaround, p99, milliseconds, at TARGET_CONCURRENCY calls at once."""
TARGET_SETUP_RATIO = 20.0
"""How many times cheaper a call's set-up over FastAGI must be than a process per call."""


@dataclass
class Load:
    """What one run of concurrent calls measured."""

    calls: int
    seconds: float
    turnarounds: list[float] = field(default_factory=list)
    setups: list[float] = field(default_factory=list)
    failed: int = 0
    server_cpu: float = 0.0
    """CPU seconds the FastAGI server process used during the run (user + system)."""

    def ms(self, figures: list[float], q: float) -> float:
        """The q-quantile of `figures`, in milliseconds."""
        return 1000 * statistics.quantiles(figures, n=1000, method="inclusive")[round(q * 1000) - 1]


async def session(channel: Channel, port: int, pace: float) -> Timing:
    """One AGI session over asyncio streams (the same Conversation the blocking driver uses)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    talk = Conversation(channel, pace)
    writer.write(talk.opening())
    try:
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), talk.patience)
            except asyncio.TimeoutError:
                writer.write(talk.quiet())
                continue
            if not line.endswith(b"\n"):
                writer.write(talk.closed())
                return talk.timing
            reply, pause = talk.answer(line)
            if pause:
                await asyncio.sleep(pause)
            writer.write(reply)
            talk.replied()
    finally:
        writer.close()


async def one_call(n: int, port: int, pace: float, recordings: Path, load: Load) -> None:
    """A whole call and its hangup handler; a call that did not end with a code is a failure."""
    channel = incoming("127.0.0.1", port, caller_id=f"0218{n:07d}", to="128", keys=KEYS,
                       recordings_dir=recordings)
    timing = await session(channel, port, pace)
    handler = await session(hangup_handler(channel), port, 0.0)
    load.setups.append(timing.setup_s)
    load.turnarounds += timing.turnarounds + handler.turnarounds
    if len(channel.digits_said) != 2:
        load.failed += 1


async def run_load(port: int, calls: int, concurrency: int, pace: float, ramp: float,
                   recordings: Path) -> Load:
    """`calls` calls, at most `concurrency` at once; the first `concurrency` arrive at random
    within `ramp` seconds (as calls do: not all in the same millisecond, and not in step),
    the rest as earlier ones end."""
    gate, load = asyncio.Semaphore(concurrency), Load(calls, 0.0)
    arrivals = random.Random(calls)

    async def gated(n: int) -> None:
        """Call n, once a line is free (in order) and, for the first ones, once it has arrived."""
        async with gate:
            if n < concurrency:
                await asyncio.sleep(arrivals.uniform(0, ramp))
            await one_call(n, port, pace, recordings, load)

    start = time.perf_counter()
    await asyncio.gather(*(gated(n) for n in range(calls)))
    load.seconds = time.perf_counter() - start
    return load


def measured(server: subprocess.Popen[bytes], port: int, recordings: Path, calls: int,
             concurrency: int, pace: float, ramp: float) -> Load:
    """One run of concurrent calls, with the CPU the server spent on it."""
    before = process_cpu([server.pid], descendants=True)
    load = asyncio.run(run_load(port, calls, concurrency, pace, ramp, recordings))
    load.server_cpu = process_cpu([server.pid], descendants=True) - before
    return load


def fastagi_one_by_one(port: int, calls: int, recordings: Path) -> list[Timing]:
    """Calls one at a time through FastAGI, to time set-up without any load."""
    return [place_call("127.0.0.1", port, caller_id=f"0219{n:07d}", to="128", keys=KEYS,
                       recordings_dir=recordings).timing for n in range(calls)]


def process_per_call(calls: int, env: dict[str, str]) -> list[tuple[Timing, float]]:
    """The same call through `foad-agi`: a fresh Python process for each, as plain AGI does."""
    results = []
    for n in range(calls):
        setup = Setup(script=str(BIN / "foad-agi"), network=False, caller_id=f"0217{n:07d}", dnid="128",
                      args=("intake?line=128",), uniqueid=f"{int(time.time())}.9{n:05d}")
        channel = Channel(setup, Caller(parse(KEYS)))
        start = time.perf_counter()
        timing = run_program([str(BIN / "foad-agi")], channel, env=env)
        results.append((timing, time.perf_counter() - start))
        if len(channel.digits_said) != 2:
            raise SystemExit("a plain AGI call did not end with a tracking code")
    return results


def start_server(env: dict[str, str], processes: int = 1) -> tuple[subprocess.Popen[bytes], int]:
    """`foad fastagi --processes N` on a free port, once it accepts connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(BIN / "foad"), "fastagi", "--port", str(port), "--processes", str(processes)],
                              env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("foad fastagi did not start")


def measure(args: argparse.Namespace, env: dict[str, str], recordings: Path) -> dict[str, object]:
    """Every figure, with the server running."""
    server, port = start_server(env, args.processes)
    try:
        paced = measured(server, port, recordings, args.calls, args.concurrency, args.pace, args.ramp)
        flat = measured(server, port, recordings, args.calls, args.concurrency, 0.0, 0.0)
        alone = fastagi_one_by_one(port, args.process_calls, recordings)
    finally:
        server.terminate()
        server.wait()
    plain = process_per_call(args.process_calls, env)
    fast_setup = statistics.median(t.setup_s for t in alone)
    plain_setup = statistics.median(t.setup_s for t, _ in plain)
    return {"paced": paced, "flat": flat, "fast_setup": fast_setup, "plain_setup": plain_setup,
            "plain_call": statistics.median(s for _, s in plain)}


def table(args: argparse.Namespace, figures: dict[str, object], database: str) -> None:
    """The figures for people."""
    print(f"foad fastagi --processes {args.processes}")
    print(f"{'run':<20}{'calls':>6}{'at once':>8}{'pace':>6}{'calls/s':>8}{'commands':>9}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'set-up p50/p99 ms':>19}{'failed':>7}{'CPU ms/call':>12}")
    for name, load, pace in (("FastAGI, paced", figures["paced"], args.pace),
                             ("FastAGI, flat out", figures["flat"], 0.0)):
        setup = f"{load.ms(load.setups, 0.5):.1f}/{load.ms(load.setups, 0.99):.1f}"
        print(f"{name:<20}{load.calls:>6}{args.concurrency:>8}{pace:>6}{load.calls / load.seconds:>8.1f}"
              f"{len(load.turnarounds):>9}{load.ms(load.turnarounds, 0.5):>8.2f}"
              f"{load.ms(load.turnarounds, 0.99):>8.2f}{1000 * max(load.turnarounds):>8.1f}{setup:>19}"
              f"{load.failed:>7}{1000 * load.server_cpu / load.calls:>12.1f}")
    print(f"set-up (env block to first command), one call at a time, median of {args.process_calls}: "
          f"FastAGI {1000 * figures['fast_setup']:.2f} ms, process per call "
          f"{1000 * figures['plain_setup']:.0f} ms ({figures['plain_setup'] / figures['fast_setup']:.0f}x); "
          f"a whole plain-AGI call {figures['plain_call']:.2f} s ({database})")


def targets(args: argparse.Namespace, figures: dict[str, object]) -> dict[str, object]:
    """The targets and whether this run met them (the turnaround one only counts at 200 at once)."""
    paced = figures["paced"]
    p99 = paced.ms(paced.turnarounds, 0.99)
    ratio = figures["plain_setup"] / figures["fast_setup"]
    return {
        "target_concurrency": TARGET_CONCURRENCY, "target_turnaround_p99_ms": TARGET_P99_MS,
        "target_setup_ratio": TARGET_SETUP_RATIO,
        "turnaround_target_met": args.concurrency >= TARGET_CONCURRENCY and p99 < TARGET_P99_MS and not paced.failed,
        "setup_target_met": ratio >= TARGET_SETUP_RATIO,
    }


def report(args: argparse.Namespace, figures: dict[str, object], database: str) -> None:
    """The table, the targets, then the JSON line."""
    table(args, figures, database)
    met = targets(args, figures)
    turnaround = "met" if met["turnaround_target_met"] else "NOT met"
    if args.concurrency < TARGET_CONCURRENCY:
        turnaround += f" (this run had only {args.concurrency} at once)"
    print(f"targets: p99 turnaround < {TARGET_P99_MS:g} ms at {TARGET_CONCURRENCY} calls at once: {turnaround}; "
          f"set-up >= {TARGET_SETUP_RATIO:g}x cheaper than a process per call: "
          f"{'met' if met['setup_target_met'] else 'NOT met'}")
    paced, flat = figures["paced"], figures["flat"]
    print(json.dumps({
        "bench": "agi_load", "database": database, "calls": args.calls, "concurrency": args.concurrency,
        "processes": args.processes,
        "pace": args.pace, "calls_per_s": round(paced.calls / paced.seconds, 1),
        "turnaround_p50_ms": round(paced.ms(paced.turnarounds, 0.5), 3),
        "turnaround_p99_ms": round(paced.ms(paced.turnarounds, 0.99), 3),
        "setup_under_load_p99_ms": round(paced.ms(paced.setups, 0.99), 3),
        "flat_out_calls_per_s": round(flat.calls / flat.seconds, 1),
        "flat_out_turnaround_p50_ms": round(flat.ms(flat.turnarounds, 0.5), 3),
        "flat_out_turnaround_p99_ms": round(flat.ms(flat.turnarounds, 0.99), 3),
        "failed_calls": paced.failed + flat.failed,
        "server_cpu_ms_per_call": round(1000 * flat.server_cpu / flat.calls, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "setup_fastagi_ms": round(1000 * figures["fast_setup"], 3),
        "setup_process_per_call_ms": round(1000 * figures["plain_setup"], 1),
        "process_per_call_setup_ratio": round(figures["plain_setup"] / figures["fast_setup"], 1),
        **met,
    }))


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--pace", type=float, default=0.25, help="real seconds per simulated second")
    parser.add_argument("--ramp", type=float, help="seconds over which the first calls arrive "
                                                   "(default: one call's length, 70 s × pace)")
    parser.add_argument("--process-calls", type=int, default=10)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="foad fastagi's --processes (default: one per core)")
    args = parser.parse_args()
    args.ramp = CALL_SECONDS * args.pace if args.ramp is None else args.ramp
    with tempfile.TemporaryDirectory() as folder, scratch_database(Path(folder)) as url:
        settings = read_settings({**os.environ, "DATABASE_URL": url, "FOAD_DATA_DIR": folder})
        with redis_url(settings) as redis:
            env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis, "FOAD_DATA_DIR": folder,
                   "FOAD_LOG_LEVEL": "WARNING", "FOAD_MAX_COMPLAINTS_PER_HOUR": "1000000"}
            figures = measure(args, env, settings.recordings_dir)
    report(args, figures, url.split(":", 1)[0].split("+")[0])


if __name__ == "__main__":
    main()
