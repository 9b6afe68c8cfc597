"""Whether a refused log-in takes as long for a name that does not exist as for one that does.

    .venv/bin/python bench/login_timing.py [--runs N]

On a throwaway database (SQLite, or DATABASE_URL's PostgreSQL in a schema of its own) with two
console users, one of them deactivated, it times `models.users.verify_login` (what the log-in
form does between its throttle and its answer) N times for: a known name with a wrong
password (the baseline), an unknown name, the deactivated name, and the right password; and,
for comparison, the name's look-up alone, which is what a refusal of an unknown name cost
before it was checked against a stand-in hash. Times are the CPU time of each attempt (the
machine is shared: CPU time is what the server spends, and what the wall time is on an idle
server, which is where an attacker measures). Target: unknown and deactivated names within
0.8 to 1.25 times the baseline's median. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.db import make_engine  # noqa: E402
from models.users import User, add_user, verify_login  # noqa: E402
from tests.scratch import scratch_database  # noqa: E402

PASSWORD = "the right passphrase"
TARGET = (0.8, 1.25)
"""Unknown and deactivated names' median over the baseline's: a refusal tells nothing."""


def measure(session: Session, runs: int) -> dict[str, float]:
    """Median CPU milliseconds of each kind of log-in attempt, the kinds taken in turn."""
    add_user(session, "maryam", "supervisor", PASSWORD)
    add_user(session, "hamid", "inspector", PASSWORD, agency_code="MUN-TEH").active = False
    session.commit()
    kinds: dict[str, Callable[[], object]] = {
        "known_wrong_ms": lambda: verify_login(session, "maryam", "a wrong guess"),
        "unknown_ms": lambda: verify_login(session, "nobody", "a wrong guess"),
        "deactivated_ms": lambda: verify_login(session, "hamid", PASSWORD),
        "right_ms": lambda: verify_login(session, "maryam", PASSWORD),
        "lookup_only_ms": lambda: session.scalar(select(User).where(User.name == "nobody")),
    }
    times: dict[str, list[float]] = {key: [] for key in kinds}
    for turn in range(runs + 1):  # the first turn warms up (the stand-in hash is made once)
        for key, attempt in kinds.items():
            started = time.thread_time()
            attempt()
            session.rollback()
            if turn:
                times[key].append((time.thread_time() - started) * 1000)
    return {key: statistics.median(found) for key, found in times.items()}


def report(database: str, runs: int, figures: dict[str, float]) -> None:
    """The table and the JSON line."""
    base = figures["known_wrong_ms"]
    ratios = {"unknown_ratio": round(figures["unknown_ms"] / base, 3),
              "deactivated_ratio": round(figures["deactivated_ms"] / base, 3)}
    met = all(TARGET[0] <= r <= TARGET[1] for r in ratios.values())
    print(f"{'attempt':<34} {'CPU ms':>10} {'vs baseline':>12}")
    labels = {"known_wrong_ms": "known name, wrong password (base)", "unknown_ms": "unknown name",
              "deactivated_ms": "deactivated name", "right_ms": "known name, right password",
              "lookup_only_ms": "look-up alone (no stand-in hash)"}
    for key, label in labels.items():
        print(f"{label:<34} {figures[key]:>10.1f} {figures[key] / base:>11.2f}x")
    print(f"target: unknown and deactivated within {TARGET[0]}-{TARGET[1]}x of the base on {database}: "
          f"{'met' if met else 'NOT met'}")
    print(json.dumps({"database": database, "runs": runs, **{k: round(v, 2) for k, v in figures.items()},
                      **ratios, "target_ratio": list(TARGET), "met": met}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="attempts of each kind")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder, \
            scratch_database(os.environ.get("DATABASE_URL"), Path(folder)) as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                figures = measure(session, runs)
            report(engine.dialect.name, runs, figures)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
