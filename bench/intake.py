"""Tickets per second through the intake service, beside raw single-row INSERTs on the same database.

    .venv/bin/python bench/intake.py [--tickets N] [--clients C] [--rounds R]

R rounds (default 3) of N raw INSERTs then N intakes, each client process warmed up first;
the round whose ratio is the median is reported, with every round's ratio. Uses
DATABASE_URL (a throwaway schema is created on that PostgreSQL server and dropped after)
or, without it, a SQLite file in a temporary folder; REDIS_URL or the embedded Redis. Each
intake commits the ticket, its first event and its outbox row, then pushes the row to RQ:
exactly what a channel pays. Prints a table, then one line of JSON with the figures, the
target (500 tickets/s on PostgreSQL) and whether this run met it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.scratch  # noqa: E402
from foad.embedded_redis import redis_url  # noqa: E402
from foad.runtime import make_runtime  # noqa: E402
from foad.settings import read_settings  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.intake import Complaint, IntakeRules, open_ticket  # noqa: E402
from models.runtime import Runtime
from models.tickets import Via  # noqa: E402

TARGET_TICKETS_PER_S = 500
"""Tickets a second the intake service must carry on PostgreSQL on the 2-core machine."""
TARGET_DATABASE = "postgresql"
"""The database the target is set for; elsewhere a run reports no verdict (met: null)."""


@contextlib.contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """A fresh database with the sample directory and a table for the raw-insert baseline, on
    DATABASE_URL's PostgreSQL server (a schema of its own, dropped after) or a SQLite file."""
    with tests.scratch.scratch_database(os.environ.get("DATABASE_URL"), folder) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, code VARCHAR(10), body TEXT)"))
        engine.dispose()
        yield url


WARM_UP = 20
"""Items each client process does before the clock starts: a process's first intake (its
connections, the directory's index for triage, its statements compiled) costs about 100 ms,
which a long-lived channel process pays once, not on every burst."""


def timed(clients: int, total: int, one: Callable[[int, int], None], first: int = 0) -> float:
    """Run `one(client, i)` `total` times spread over `clients` processes (i from `first`),
    each warmed up first (WARM_UP more, not counted); items per second.

    Processes, as in production (gunicorn workers, FastAGI children): threads would measure
    the GIL, not the database.
    """
    per_client = total // clients
    ready = multiprocessing.Barrier(clients + 1)

    def client(n: int) -> None:
        for i in range(first + per_client, first + per_client + WARM_UP):
            one(n, i)
        ready.wait()
        for i in range(first, first + per_client):
            one(n, i)

    workers = [multiprocessing.Process(target=client, args=(n,)) for n in range(clients)]
    for w in workers:
        w.start()
    ready.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
        if w.exitcode != 0:
            raise SystemExit(f"a client failed with exit code {w.exitcode}")
    return per_client * clients / (time.perf_counter() - start)


def raw_inserts(runtime: Runtime, clients: int, total: int, first: int = 0) -> float:
    """Single-row INSERT + COMMIT per row: the floor any intake pays."""

    def one(n: int, i: int) -> None:
        with runtime.for_this_process().engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_raw (id, code, body) VALUES (:id, :c, :b)"),
                         {"id": n * 10_000_000 + i, "c": "1234567890", "b": "کارمند نیامد"})

    return timed(clients, total, one, first)


def intakes(runtime: Runtime, clients: int, total: int, first: int = 0) -> float:
    """Tickets opened through the intake service, each from its own caller."""
    rules = IntakeRules(max_per_hour=1_000_000)

    def one(n: int, i: int) -> None:
        # A session per complaint, as a request or a call has.
        with runtime.session() as session:
            complaint = Complaint(via=Via.SMS, caller=f"+98912{n:02d}{i:05d}", text="کارمند باجه نیامد")
            open_ticket(session, complaint, rules)

    return timed(clients, total, one, first)


def main() -> None:
    """Measure and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of raw INSERTs then intake; the round with the median ratio is reported")
    args = parser.parse_args()
    pairs = []
    with tempfile.TemporaryDirectory() as folder, scratch_database(Path(folder)) as url:
        settings = read_settings({**os.environ, "DATABASE_URL": url, "FOAD_DATA_DIR": folder})
        with redis_url(settings) as redis:
            runtime = make_runtime(settings, redis)
            for n in range(args.rounds):
                # Each round's items numbered apart from the others' (the rows' keys, the callers).
                first = n * (args.tickets // args.clients + WARM_UP)
                pairs.append((raw_inserts(runtime, args.clients, args.tickets, first),
                              intakes(runtime, args.clients, args.tickets, first)))
            runtime.close()
    report(make_url(url).get_backend_name(), args.clients, args.tickets, *median_round(pairs),
           ratios=[intake / raw for raw, intake in pairs])


Round = TypeVar("Round")


def median_round(rounds: Sequence[Round],
                 ratio: Callable[[Round], float] = lambda pair: pair[1] / pair[0]) -> Round:
    """The round whose `ratio` (by default a (baseline, measured) pair's) is the median, the
    lower of two middles: a noisy machine moves both figures of a round together far more
    than it moves their ratio, and one slow round is outvoted (sms_webhook.py's rounds too)."""
    return sorted(rounds, key=ratio)[(len(rounds) - 1) // 2]


def report(database: str, clients: int, tickets: int, raw: float, intake: float,
           ratios: list[float] | None = None) -> None:
    """The table, then the JSON line: figures (of the median round), the ratio to raw inserts,
    every round's ratio, the target and the verdict."""
    met = intake >= TARGET_TICKETS_PER_S if database == TARGET_DATABASE else None
    verdict = {True: "met", False: "NOT met", None: "no verdict on this database"}[met]
    print(f"{'database':<12}{'clients':>8}{'raw inserts/s':>16}{'tickets/s':>12}{'ratio':>8}  target")
    print(f"{database:<12}{clients:>8}{raw:>16.0f}{intake:>12.0f}{intake / raw:>8.2f}"
          f"  >= {TARGET_TICKETS_PER_S}/s on {TARGET_DATABASE}: {verdict}")
    print(json.dumps({"bench": "intake", "database": database, "clients": clients,
                      "tickets": tickets, "raw_inserts_per_s": round(raw, 1),
                      "tickets_per_s": round(intake, 1), "ratio_to_raw": round(intake / raw, 3),
                      "round_ratios": [round(r, 3) for r in ratios or [intake / raw]],
                      "target_tickets_per_s": TARGET_TICKETS_PER_S,
                      "target_database": TARGET_DATABASE, "met": met}))


if __name__ == "__main__":
    main()
