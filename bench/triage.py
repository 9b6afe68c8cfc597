"""Triage on the labelled evaluation set with a national-size directory: accuracy per field, the
share of texts referred past the working group, and the time to read one text.

    .venv/bin/python bench/triage.py [--rounds 20] [--seed 128] [--database]

The directory is bench/directory.py's (the sample and every province's and county's offices,
~3,900 agencies); the texts are tests/data/triage-eval.jsonl (255 labelled complaints). Each
round reads every text once, in a seeded shuffled order; the baseline, in the same run, only
splits the same texts into words (tokenize), the floor any reading pays. With --database the
directory is imported into a throwaway database (DATABASE_URL's PostgreSQL, else SQLite) and
the index loaded from it, timing both. Targets: sector >= 90% and province >= 95% on the texts
that name them, no province on a text that names none, p99 < 5 ms a text, judged on the reading's
CPU time and, separately, on wall-clock time (which a loaded machine inflates: the load average
is printed). Prints a table, then one line of JSON with the figures, the targets and whether
this run met them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import directory  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.directory import import_csv  # noqa: E402
from models.triage import FIELDS, DirectoryIndex  # noqa: E402
from models.triage.knowledge import knowledge  # noqa: E402
from models.triage.tokens import tokenize  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
import tests.scratch  # noqa: E402
from tests.triage_eval import TARGETS, cases, read, referred_past_working_group, score  # noqa: E402

TARGET_P99_MS = 5.0
"""Milliseconds one text may take at the 99th percentile."""


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """What `action` returned and the seconds it took."""
    start = time.perf_counter()
    done = action()
    return done, time.perf_counter() - start


def index_in_memory(seed: int) -> tuple[DirectoryIndex, dict[str, Any]]:
    """The index built from the generated rows; the build time."""
    rows = directory.rows(seed)
    index, build = timed(lambda: DirectoryIndex.from_rows(rows))
    return index, {"index_build_s": round(build, 3)}


def index_from_database(seed: int) -> tuple[DirectoryIndex, dict[str, Any]]:
    """The generated directory imported into a throwaway database and the index loaded from it."""
    with tempfile.TemporaryDirectory() as folder, \
            tests.scratch.scratch_database(os.environ.get("DATABASE_URL"), Path(folder), sample=False) as url:
        engine = make_engine(url)
        path = Path(folder) / "directory.csv"
        directory.write(path, seed)
        with Session(engine) as session:
            _, imported = timed(lambda: import_csv(session, path))
            index, loaded = timed(lambda: DirectoryIndex.load(session))
        engine.dispose()
    return index, {"import_s": round(imported, 2), "index_load_s": round(loaded, 3),
                   "database": engine.dialect.name}


def latencies(texts: list[dict[str, Any]], rounds: int, seed: int,
              one: Callable[[dict[str, Any]], Any]) -> tuple[list[float], list[float]]:
    """Milliseconds of `one` for each text in each round (shuffled per round), sorted: wall-clock
    time, and the thread's CPU time (what the reading itself costs, without the waits of a
    shared machine)."""
    order, draw, wall, cpu = list(texts), random.Random(seed), [], []
    for _ in range(rounds):
        draw.shuffle(order)
        for case in order:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            one(case)
            cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
            wall.append((time.perf_counter_ns() - start) / 1e6)
    return sorted(wall), sorted(cpu)


def percentile(sorted_ms: list[float], share: float) -> float:
    """The value below which `share` of the sorted times fall."""
    return sorted_ms[min(len(sorted_ms) - 1, int(share * len(sorted_ms)))]


def main() -> None:
    """Measure and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="times each text is read for the timing")
    parser.add_argument("--seed", type=int, default=directory.SEED)
    parser.add_argument("--database", action="store_true", help="load the index from a database")
    args = parser.parse_args()
    _, knowledge_s = timed(knowledge)
    index, setup = (index_from_database if args.database else index_in_memory)(args.seed)
    texts = cases()
    readings = [(case, read(case, index)) for case in texts]
    scores = score(readings)
    past = sum(referred_past_working_group(found) for _, found in readings) / len(readings)
    reading = latencies(texts, args.rounds, args.seed, lambda case: read(case, index))
    floor = latencies(texts, args.rounds, args.seed, lambda case: tokenize(case["text"]))
    report({"texts": len(texts), "agencies": len(index.units), "knowledge_load_s": round(knowledge_s, 3),
            **setup, "load_average": round(os.getloadavg()[0], 2)}, scores, past, reading, floor)


def summary(sorted_ms: list[float]) -> dict[str, float]:
    """p50, p99 and max of sorted milliseconds, rounded to microseconds."""
    return {"p50_ms": round(percentile(sorted_ms, 0.5), 3), "p99_ms": round(percentile(sorted_ms, 0.99), 3),
            "max_ms": round(percentile(sorted_ms, 1.0), 3)}


def table(scores: dict[str, Any]) -> None:
    """Accuracy per field: on the texts naming it (right, wrong, asked) and on those naming none."""
    print(f"{'field':<10}{'named':>7}{'right':>7}{'wrong':>7}{'asked':>7}{'accuracy':>10}"
          f"{'none named':>12}{'invented':>10}")
    for name in FIELDS:
        s = scores[name]
        print(f"{name:<10}{s.named:>7}{s.right:>7}{s.wrong:>7}{s.named - s.right - s.wrong:>7}"
              f"{s.accuracy:>10.1%}{s.unnamed:>12}{s.invented:>10}")


def report(setup: dict[str, Any], scores: dict[str, Any], past: float,
           reading: tuple[list[float], list[float]], floor: tuple[list[float], list[float]]) -> None:
    """The table, then the JSON line."""
    table(scores)
    times = {"wall": summary(reading[0]), "cpu": summary(reading[1]),
             "baseline_wall": summary(floor[0]), "baseline_cpu": summary(floor[1])}
    met = {"sector": scores["sector"].accuracy >= TARGETS["sector"],
           "province": scores["province"].accuracy >= TARGETS["province"],
           "no_invented_province": scores["province"].invented == 0,
           "p99_cpu": times["cpu"]["p99_ms"] < TARGET_P99_MS, "p99_wall": times["wall"]["p99_ms"] < TARGET_P99_MS}
    print(f"referred past the working group: {past:.1%} of {setup['texts']} texts")
    print(f"per text, {len(reading[0])} readings, {setup['agencies']} agencies, "
          f"load average {setup['load_average']}:")
    for name in ("wall", "cpu"):
        found, base = times[name], times[f"baseline_{name}"]
        print(f"  {name:<5} p50 {found['p50_ms']} ms, p99 {found['p99_ms']} ms, max {found['max_ms']} ms "
              f"(baseline, words only: p50 {base['p50_ms']} ms, p99 {base['p99_ms']} ms)")
    print("targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
    print(json.dumps({"bench": "triage", **setup, "readings": len(reading[0]),
                      **{key: {n: getattr(scores[n], key) for n in FIELDS} for key in ("named", "wrong", "invented")},
                      "accuracy": {n: round(scores[n].accuracy, 4) for n in FIELDS},
                      "referred_past_working_group": round(past, 4), **times,
                      "targets": {"sector": TARGETS["sector"], "province": TARGETS["province"],
                                  "invented_provinces": 0, "p99_ms": TARGET_P99_MS},
                      "met": met}, ensure_ascii=False))


if __name__ == "__main__":
    main()
