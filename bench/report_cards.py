"""Time to build a Jalali year's report cards for every agency from a million tickets (PostgreSQL).

    .venv/bin/python bench/report_cards.py [--tickets N] [--agencies A] [--runs R]

DATABASE_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/test);
a throwaway schema is created there, filled with COPY and dropped afterwards. "Build" is what
a card page does for the year 1404: read the year's monthly rollup (`models.reports.rollup.read`) and
build the year's, each quarter's and each month's cards of every agency, ranked
(`models.reports.cards.build_all`), exactly what the console and the public page use. Pages never
roll up themselves: "cold" is the workers' job (`worker.reports.refresh_months`, the same
`models.reports.rollup.refresh`) rolling the year up from the tickets, then one build; later builds
only read the rollup ("warm": what every card page costs).
Target: warm < 2 s. Prints a table, then one line of JSON with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.db import make_engine  # noqa: E402
from models.directory import SAMPLE, import_csv, import_rows  # noqa: E402
from models.reports import rollup  # noqa: E402
from models.reports.cards import build_all  # noqa: E402
from models.reports.periods import Period  # noqa: E402
from tests.scratch import scratch_database as scratch  # noqa: E402

YEAR = Period(1404, "year", 1)
DEADLINE = timedelta(hours=3)
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (a schema of its own), dropped afterwards."""
    given = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    if make_url(given).get_backend_name() != "postgresql":
        raise SystemExit("this benchmark measures PostgreSQL: set DATABASE_URL=postgresql://…")
    with tempfile.TemporaryDirectory() as folder, scratch(given, Path(folder), sample=False) as url:
        yield url


def directory(session: Session, extra: int) -> list[tuple[int, str]]:
    """The sample directory plus `extra` county offices; (id, code) of agencies that get tickets."""
    import_csv(session, SAMPLE)
    rows = [{"code": f"MUN-TEH-C{n:03d}", "level": "county", "sector": "municipality",
             "parent": "MUN-TEH", "province": "tehran", "county": f"county {n}",
             "name_fa": f"شهرداری شهرستان {n}", "name_en": f"County {n} municipality",
             "joined_on": "2024-03-20"} for n in range(extra)]
    import_rows(session, rows)
    return [tuple(r) for r in session.execute(text("SELECT id, code FROM agencies WHERE sector_code <> 'foad'"))]


def fill(url: str, agencies: list[tuple[int, str]], tickets: int, seed: int = 128) -> None:
    """COPY `tickets` tickets over the year, with their referral and escalation events and
    survey answers, as routing, the clock and the survey leave them."""
    rnd = random.Random(seed)
    start, span = YEAR.start, (YEAR.end - YEAR.start).total_seconds()
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        events: list[tuple] = []
        answers: list[tuple] = []
        # One COPY at a time on a connection: events and answers wait in lists meanwhile.
        with cur.copy("COPY tickets (id, code, via, caller, caller_kind, agency_id, category_code, "
                      "language, status, escalation_level, due_at, registered_at, referred_at, "
                      "acknowledged_at, resolved_at, last_step_at) FROM STDIN") as copy:
            for n in range(1, tickets + 1):
                reg = start + timedelta(seconds=rnd.random() * span)
                _one(rnd, n, reg, rnd.choice(agencies), copy.write_row, events.append, answers.append)
        _copy(cur, "ticket_events (ticket_id, at, kind, actor, data)", events)
        _copy(cur, "survey_answers (ticket_id, score, answered_at)", answers)
        cur.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (tickets,))
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _copy(cur, table: str, rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _one(rnd: random.Random, n: int, reg, agency: tuple[int, str], ticket, event, answer) -> None:
    """One ticket: most answered within hours, some escalated, some never answered."""
    referred = reg + timedelta(minutes=rnd.uniform(0.1, 3))
    ack = referred + timedelta(minutes=rnd.expovariate(1 / 40)) if rnd.random() < 0.8 else None
    resolved = reg + timedelta(minutes=rnd.lognormvariate(4.8, 0.9)) if rnd.random() < 0.75 else None
    breached = resolved is None or resolved > reg + timedelta(hours=3)
    escalations = rnd.choice((1, 1, 2)) if breached and rnd.random() < 0.6 else 0
    status = "resolved" if resolved else ("escalated" if escalations else ("acknowledged" if ack else "referred"))
    if rnd.random() < 0.03:
        status = rnd.choice(("nuisance", "duplicate", "rejected"))
    ticket((n, str(1_000_000_000 + n), rnd.choice(("call", "sms")), f"+98912{n:07d}",
                     "ir_mobile", agency[0], "delay", "fa", status, escalations,
                     reg + timedelta(hours=3), reg, referred, ack, resolved, resolved or ack or referred))
    event((n, referred, "referred", "system", json.dumps({"agency": agency[1]})))
    for step in range(escalations):  # as worker.clock records them
        late = agency[1] if step == 0 else "MUN-TEH"
        event((n, reg + timedelta(hours=3 * (step + 1)), "escalated", "system",
               json.dumps({"agency": "MUN-TEH", "previous_agency": late})))
    if resolved is not None and rnd.random() < 0.5:
        answer((n, rnd.choice((1, 2, 3, 4, 4, 5, 5, 5)), resolved + timedelta(hours=1)))


def measure(url: str, runs: int) -> tuple[float, list[float], int, int]:
    """Seconds of the cold build, of each warm build (fresh sessions), periods and cards built."""
    engine = make_engine(url)
    times, periods, cards = [], 0, 0
    for run in range(runs + 1):
        with Session(engine) as session:
            began = time.perf_counter()
            if run == 0:  # what the worker does when a page finds the year not rolled up
                rollup.refresh(session, YEAR.year, range(1, 13), DEADLINE)
            reading = rollup.read(session, YEAR, deadline=DEADLINE, max_age=timedelta(hours=1))
            built = build_all(session, YEAR, reading.table, 10, reading.months)
            times.append(time.perf_counter() - began)
        periods, cards = len(built), sum(len(c) for c in built.values())
    engine.dispose()
    return times[0], times[1:], periods, cards


def main() -> None:
    """Fill, measure and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=255, help="county offices added to the sample")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with scratch_database() as url:
        engine = make_engine(url)
        with Session(engine) as session:
            agencies = directory(session, args.agencies)
        engine.dispose()
        began = time.perf_counter()
        fill(url, agencies, args.tickets)
        load_s = time.perf_counter() - began
        cold, times, periods, cards = measure(url, args.runs)
    report(args, len(agencies), load_s, cold, times, periods, cards)


def report(args: argparse.Namespace, agencies: int, load_s: float, cold: float, times: list[float],
           periods: int, cards: int) -> None:
    """The table, then the JSON line."""
    best, median = min(times), statistics.median(times)
    print(f"{'tickets':>10}{'agencies':>10}{'periods':>9}{'cards':>8}{'cold s':>9}"
          f"{'warm best s':>13}{'warm median s':>15}{'target s':>10}")
    print(f"{args.tickets:>10}{agencies:>10}{periods:>9}{cards:>8}{cold:>9.3f}"
          f"{best:>13.3f}{median:>15.3f}{2.0:>10.1f}")
    print(f"(loading the data took {load_s:.0f} s; each build ran in a fresh session; "
          f"cold = roll the year up from the tickets, then build; {args.runs} warm runs)")
    print(json.dumps({"bench": "report_cards", "database": "postgresql", "year": YEAR.key,
                      "tickets": args.tickets, "agencies": agencies, "periods": periods,
                      "cards": cards, "cold_s": round(cold, 3), "warm_best_s": round(best, 3),
                      "warm_median_s": round(median, 3), "target_s": 2.0, "met": median < 2.0}))


if __name__ == "__main__":
    main()
