"""Full-text search latency over a million tickets on PostgreSQL: the list's search, as a
supervisor runs it, for two-word Persian queries.

    .venv/bin/python bench/search.py [--tickets N] [--runs R]

DATABASE_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/test);
a throwaway schema is made there, migrated (so the search column and its GIN index are the
migration's), filled with COPY and dropped afterwards. The complaints are Persian texts of
8-30 words drawn from a vocabulary with a Zipf distribution (a few words in most complaints,
most words rare); their search documents are written by `models.persian.terms`, as intake
writes them. Queries are typed as people type them (Arabic ي and ك, plural endings) and run
through `console.ticket_list.TicketFilter` exactly as the list runs them: the first page of
50 rows, ranked among the newest 1,000 matches, and the count the page shows (up to 1,000). The baseline, in the same run, is what the
list did before full-text search: an ILIKE scan of the complaint texts for the same words.
Target: p99 < 200 ms for a two-word query. Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report_cards import directory, scratch_database  # noqa: E402
from console.ticket_list import TicketFilter  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.persian import terms  # noqa: E402
from models.tickets import Ticket  # noqa: E402
from models.users import User, UserRole  # noqa: E402

TARGET_P99_MS = 200.0
DEADLINE = timedelta(hours=3)
COMMON = ("کارمند", "باجه", "ساعت", "نوبت", "پرونده", "شعبه", "مدارک", "رئیس", "اداره", "پاسخ",
          "معطل", "برخورد", "توهین", "نامه", "امضا", "قبض", "پرداخت", "مالیات", "بیمه", "وام",
          "شهرداری", "بانک", "درمانگاه", "سامانه", "تلفن", "کارت", "شناسنامه", "گذرنامه", "پروانه",
          "عوارض", "جریمه", "حساب", "دفترچه", "نسخه", "پزشک", "داروخانه", "مدرسه", "ثبت‌نام",
          "کارشناس", "مسئول", "صف", "انتظار", "تأخیر", "غیبت", "بی‌احترامی", "رشوه", "تعطیل", "قطع")
SYLLABLES = ("با", "ر", "دا", "نی", "کو", "مه", "سا", "لا", "تو", "پی", "گر", "زن", "شه", "فر", "خو",
             "بی", "دو", "سی", "می", "نو", "ره", "یا", "ده", "وی", "چه", "جو", "قا", "غم", "ظر", "عا")
QUERIES = (
    # (what the class is, the two words as a person types them)
    ("common + common", "كارمند باجه"), ("common + common", "ساعت نوبت"),
    ("common + mid", "پرونده {mid0}"), ("common + mid", "مدارك {mid1}"),
    ("mid + mid", "{mid2} {mid3}"), ("mid + mid", "{mid4}ها {mid5}"),
    ("rare + common", "{rare0} بانک"), ("rare + rare", "{rare1} {rare2}"),
)


def vocabulary(rnd: random.Random, size: int) -> list[str]:
    """The common complaint words first, then made-up Persian words, most frequent first."""
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4)))
        if word not in seen and len(terms(word)) == 1:
            seen.add(word)
            words.append(word)
    return words


def fill(url: str, agencies: list[tuple[int, str]], tickets: int, words: list[str], seed: int = 128) -> float:
    """COPY the tickets and their search documents; seconds spent building the GIN index
    (dropped for the load and built once after it, as the migration defines it)."""
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP INDEX ix_search_documents_terms")
        documents = _copy_tickets(cur, agencies, tickets, words, random.Random(seed))
        with cur.copy("COPY search_documents (ticket_id, body) FROM STDIN") as copy:
            for row in documents:
                copy.write_row(row)
        raw.commit()
        began = time.perf_counter()
        cur.execute("CREATE INDEX ix_search_documents_terms ON search_documents USING gin (terms)")
        raw.commit()
        index_s = time.perf_counter() - began
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return index_s


def _copy_tickets(cur, agencies: list[tuple[int, str]], tickets: int, words: list[str],
                  rnd: random.Random) -> list[tuple[int, str]]:
    """COPY the tickets, one complaint of Zipf-drawn words each, registered over a year; their
    search documents (the words' `terms`, as intake writes them)."""
    cumulative = list(_accumulate([1 / (rank + 1) for rank in range(len(words))]))  # Zipf's law
    term_of = {w: " ".join(terms(w)) for w in words}
    start, documents = utcnow() - timedelta(days=365), []
    with cur.copy("COPY tickets (id, code, via, caller, caller_kind, agency_id, category_code, language, "
                  "status, escalation_level, registered_at, last_step_at, text) FROM STDIN") as copy:
        for n in range(1, tickets + 1):
            said = rnd.choices(words, cum_weights=cumulative, k=rnd.randint(8, 30))
            at = start + timedelta(seconds=n * 31.5)
            copy.write_row((n, str(1_000_000_000 + n), "sms", f"+98912{n:07d}", "ir_mobile",
                            rnd.choice(agencies)[0], "other", "fa", "referred", 0, at, at, " ".join(said)))
            documents.append((n, " ".join(term_of[w] for w in said if term_of[w])))
    return documents


def _accumulate(weights: list[float]):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def queries(words: list[str]) -> list[tuple[str, str]]:
    """The benchmark's queries, with mid-frequency (ranks 100-400) and rare (ranks 2000+) words."""
    mid = {f"mid{n}": words[100 + 50 * n] for n in range(6)}
    rare = {f"rare{n}": words[2000 + 700 * n] for n in range(3)}
    return [(kind, typed.format(**mid, **rare)) for kind, typed in QUERIES]


def search_ms(session: Session, typed: str) -> tuple[float, int, int]:
    """The list's search as a supervisor runs it: the first page and the count; (ms, rows, total)."""
    supervisor = User(name="bench", role=UserRole.SUPERVISOR)
    began = time.perf_counter()
    found = TicketFilter(q=typed).results(session, supervisor, utcnow(), DEADLINE)
    elapsed = (time.perf_counter() - began) * 1000
    session.rollback()
    return elapsed, len(found.rows), found.total


def baseline_ms(session: Session, typed: str) -> float:
    """What the list could do without full-text search: an ILIKE scan of the texts."""
    first, second = typed.split()[:2]
    began = time.perf_counter()
    session.scalar(select(func.count()).where(Ticket.text.ilike(f"%{first}%"), Ticket.text.ilike(f"%{second}%")))
    elapsed = (time.perf_counter() - began) * 1000
    session.rollback()
    return elapsed


def measure(url: str, asked: list[tuple[str, str]], runs: int) -> dict[str, dict]:
    """Each query `runs` times (after one warm-up), and the baseline of each query twice."""
    engine = make_engine(url)
    found: dict[str, dict] = {}
    with Session(engine) as session:
        for kind, typed in asked:
            search_ms(session, typed)  # warm-up: the index pages into memory
            times, rows, total = [], 0, 0
            for _ in range(runs):
                ms, rows, total = search_ms(session, typed)
                times.append(ms)
            found[typed] = {"kind": kind, "times": times, "rows": rows, "total": total,
                            "baseline": [baseline_ms(session, typed) for _ in range(2)]}
    engine.dispose()
    return found


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Fill, measure, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25, help="runs of each query")
    parser.add_argument("--words", type=int, default=5000, help="the vocabulary's size")
    args = parser.parse_args()
    rnd = random.Random(7)
    words = vocabulary(rnd, args.words)
    with scratch_database() as url:
        engine = make_engine(url)
        with Session(engine) as session:
            agencies = directory(session, 0)
        engine.dispose()
        began = time.perf_counter()
        index_s = fill(url, agencies, args.tickets, words)
        load_s = time.perf_counter() - began
        found = measure(url, queries(words), args.runs)
    report(args, found, load_s, index_s)


def report(args: argparse.Namespace, found: dict[str, dict], load_s: float, index_s: float) -> None:
    """The table (one row a query, then all), then the JSON line."""
    print(f"{'query':<22}{'class':<17}{'matches':>9}{'rows':>6}{'p50 ms':>9}{'p99 ms':>9}{'ILIKE ms':>10}")
    every: list[float] = []
    for typed, f in found.items():
        every += f["times"]
        print(f"{typed:<22}{f['kind']:<17}{f['total']:>9}{f['rows']:>6}{statistics.median(f['times']):>9.1f}"
              f"{percentile(f['times'], 0.99):>9.1f}{statistics.median(f['baseline']):>10.0f}")
    p50, p99 = statistics.median(every), percentile(every, 0.99)
    ilike = statistics.median([ms for f in found.values() for ms in f["baseline"]])
    print(f"{'all':<22}{'':<17}{'':>9}{'':>6}{p50:>9.1f}{p99:>9.1f}{ilike:>10.0f}")
    print(f"({args.tickets} tickets, {args.words} words; loading took {load_s:.0f} s, of which the GIN index "
          f"{index_s:.0f} s; {args.runs} runs of each query after a warm-up; a run is the list's first page "
          f"and its count; target p99 < {TARGET_P99_MS:.0f} ms)")
    print(json.dumps({"bench": "search", "database": "postgresql", "tickets": args.tickets,
                      "queries": len(found), "runs": args.runs, "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
                      "ilike_median_ms": round(ilike, 1), "target_p99_ms": TARGET_P99_MS,
                      "met": p99 < TARGET_P99_MS, "load_s": round(load_s, 1)}))


if __name__ == "__main__":
    main()
