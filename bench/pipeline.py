"""From registration to the inspector's phone: complaints at a fixed rate, real workers, a local Twilio.

    .venv/bin/python bench/pipeline.py [--rate 100] [--seconds 20] [--workers 2] [--fork]
                                       [--calls 0.5] [--logs DIR]
                                       [--sms-texts 100] [--sms-rate 2] [--triage-wait 20]

Opens complaints through the intake service at a fixed rate (a share of them calls from
mobiles, whose callers are also texted their code; the rest SMS), with `--workers` real
`foad worker` processes and the tests' Twilio-compatible server (foad/devtools/twilio_api.py)
as the SMS provider. Measures, for each ticket, the time from its registration to the moment
the server receives the SMS to its official, and the jobs per second the workers ran. The
percentiles are over every ticket registered: one whose official was not texted by the end
counts as never (infinitely late), and how many there were is printed. Also counted, per
complaint: CPU (the workers', the intake's, the whole machine's), SQL round trips (the
workers run through bench/counted.py) and Redis commands (the server's own count). Uses
DATABASE_URL (a throwaway database on that PostgreSQL server) or a SQLite file, and REDIS_URL
(an empty database) or the embedded Redis. Prints a table, then one line of JSON with the
target (p99 under 1 s at 100 complaints/s with 2 workers) and whether this run met it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counting import install, process_cpu, read_files, redis_commands  # noqa: E402  (beside this file)
from intake import scratch_database  # noqa: E402  (bench/intake.py, beside this file)
from redis import Redis  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import exists, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from foad.devtools.twilio_api import FROM_NUMBER, TwilioApi  # noqa: E402
from foad.embedded_redis import redis_url  # noqa: E402
from foad.runtime import make_runtime  # noqa: E402
from foad.settings import read_settings  # noqa: E402
from models import inbox  # noqa: E402
from models.agencies import FOAD_SECTOR, SECTORS as SECTOR_ROWS, Agency  # noqa: E402
from models.events import Event  # noqa: E402
from models.messages import Direction, Message  # noqa: E402
from models.intake import Complaint, IntakeRules, open_ticket  # noqa: E402
from models.placing import TriageState  # noqa: E402
from models.provinces import BY_CODE  # noqa: E402
from models.persian import latin_digits  # noqa: E402
from models.runtime import Runtime
from models.tickets import Ticket, TicketEvent, TicketStatus, Via  # noqa: E402
from tests.triage_eval import cases  # noqa: E402
from worker.health import check  # noqa: E402

SECTORS = ("municipality", "banks", "health_insurance", "tax", "civil_registry", "utilities",
           "education", "social_security", None)
PROVINCES = ("tehran", "hamadan", "fars", None)
OFFICIALS = re.compile(r"^\+98997")
"""The sample directory's officials all have +98 997 numbers; the bench's citizens do not."""
TARGET = {"p99_s": 1.0, "rate_per_s": 100.0, "workers": 2}
"""The target: p99 under 1 s at 100 complaints/s with 2 worker processes on 2 cores."""
STOP_GRACE = 90
"""Seconds a worker gets to finish its job after SIGTERM (systemd's default stop timeout)."""


class TimedTwilio(TwilioApi):
    """The tests' Twilio server, noting when the first message about each ticket reaches
    an official (the server runs in this process: one clock for both ends)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}

    def _accept(self, form: dict[str, list[str]]) -> Any:
        sent = super()._accept(form)
        code = re.search(r"\d{3}-\d{3}-\d{4}", latin_digits(sent.body))
        if code and OFFICIALS.match(sent.to):
            self.arrived.setdefault(code.group().replace("-", ""), time.time())
        return sent

    def env(self) -> dict[str, str]:
        """What an operator sets to send through Twilio (here: this server)."""
        return {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_AUTH_TOKEN": self.auth_token,
                "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": self.base_url}


@contextlib.contextmanager
def workers(args: argparse.Namespace, env: dict[str, str], logs: Path) -> Iterator[list[int]]:
    """`--workers` `foad worker` processes, as an operator runs them (their SQL counted into
    logs/sql); SIGTERM at the end."""
    mode = "--fork" if args.fork else "--no-fork"
    counted = [sys.executable, str(Path(__file__).resolve().parent / "counted.py"), str(logs / "sql")]
    children = [subprocess.Popen([*counted, "worker", mode, "--name", f"bench-{n}"],
                                 env=env, stdout=open(logs / f"worker-{n}.log", "wb"),
                                 stderr=subprocess.STDOUT) for n in range(args.workers)]
    try:
        yield [child.pid for child in children]
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for n, child in enumerate(children):
            try:
                child.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:  # a job still running (RQ's warm shutdown waits for it)
                print(f"worker bench-{n} still busy {STOP_GRACE} s after SIGTERM: killed "
                      f"(its log: {logs / f'worker-{n}.log'})", file=sys.stderr)
                child.kill()
                child.wait()


def wait_healthy(redis: Redis, timeout: float = 60) -> None:
    """Until every queue has a live worker and the scheduler and the tick run."""
    deadline = time.monotonic() + timeout
    while not check(redis).healthy:
        if time.monotonic() > deadline:
            raise SystemExit(f"workers not healthy: {check(redis).problems}")
        time.sleep(0.2)


def jobs_done(redis: Redis) -> int:
    """Jobs the live workers finished, from RQ's own counters."""
    return sum(w.successful_job_count + w.failed_job_count for w in Worker.all(connection=redis))


def open_at_rate(runtime: Runtime, args: argparse.Namespace) -> tuple[dict[str, float], float]:
    """Open rate × seconds complaints on schedule; their registration times by code, and
    how far behind its schedule the latest one started."""
    total, rules = int(args.rate * args.seconds), IntakeRules(max_per_hour=1_000_000)
    registered: dict[str, float] = {}
    behind = [0.0]
    start = time.monotonic() + 0.5

    def one(i: int) -> None:
        delay = start + i / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        behind[0] = max(behind[0], -delay)
        call = (i * args.calls) % 1 + args.calls >= 1  # spreads the calls evenly
        complaint = Complaint(
            via=Via.CALL if call else Via.SMS, caller=f"+98912{i:07d}", text="کارمند باجه نیامد",
            sector=SECTORS[i % len(SECTORS)], province=PROVINCES[i % len(PROVINCES)])
        with runtime.session() as session:
            ticket = open_ticket(session, complaint, rules).ticket
            registered[ticket.code] = ticket.registered_at.timestamp()

    # Threads, so that one slow commit does not hold up the complaints due after it.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(total)))
    return registered, behind[0]


def wait_delivered(api: TimedTwilio, codes: set[str], timeout: float = 180) -> None:
    """Until every ticket's official got their SMS (or the timeout)."""
    deadline = time.monotonic() + timeout
    while not codes <= set(api.arrived) and time.monotonic() < deadline:
        time.sleep(0.1)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of them fall (nearest rank); infinite for none."""
    ordered = sorted(values)
    if not ordered:
        return math.inf
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def met(args: argparse.Namespace, p99: float) -> bool:
    """True when the run was at the target's rate (or more) with its workers (or fewer) and
    its p99 over every ticket stayed under the target's."""
    return (args.rate >= TARGET["rate_per_s"] and args.workers <= TARGET["workers"]
            and p99 < TARGET["p99_s"])


def machine_busy_seconds() -> float:
    """CPU time all cores spent busy since boot (every process, ours or not); Linux /proc."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


QUESTIONS = {"کدام دستگاه": "sector", "کدام استان": "province"}
"""How the reply to an SMS complaint asks where it goes (models/notices.py), by what it asks."""


def sms_referrals(runtime: Runtime, api: TimedTwilio, args: argparse.Namespace) -> dict[str, Any]:
    """SMS complaints as citizens text them (the triage evaluation set, evenly drawn, a mobile each,
    at --sms-rate) through the inbox and the answer jobs; every other citizen answers the questions
    its reply asks (truly, by the set's labels), the others never do. The share referred past the
    working groups to an agency, and the time from registration to referral, at once / after an
    answer / after the wait."""
    every = [case for case in cases() if case["text"].strip()]
    texts = every[:: max(1, len(every) // args.sms_texts)][: args.sms_texts]
    citizens = {f"+98935{n:07d}": case for n, case in enumerate(texts)}
    waiting, answering = list(citizens.items()), dict(list(citizens.items())[::2])
    answered: set[tuple[str, str]] = set()
    start = time.monotonic()
    deadline = start + len(texts) / args.sms_rate + args.triage_wait + 120
    while time.monotonic() < deadline and (waiting or not settled(runtime, citizens)):
        while waiting and len(citizens) - len(waiting) < (time.monotonic() - start) * args.sms_rate:
            number, case = waiting.pop(0)
            text_in(runtime, number, case["text"], f"SMBENCH{number}")
        answer_questions(runtime, api, answering, answered)
        time.sleep(0.1)
    return {**referral_figures(runtime, citizens), "rate_per_s": args.sms_rate, "wait_s": args.triage_wait}


def text_in(runtime: Runtime, number: str, body: str, sid: str) -> None:
    """A citizen's text, taken in as the webhook takes it (the answer job replies)."""
    with runtime.session() as session:
        inbox.take_in(session, provider="bench", provider_id=sid, number=number, service_number="+98128",
                      body=body)


def answer_questions(runtime: Runtime, api: TimedTwilio, answering: dict[str, Any],
                     answered: set[tuple[str, str]]) -> None:
    """Each answering citizen texts back once to each question its phone got."""
    for sent in list(api.messages):
        asked = next((field for words, field in QUESTIONS.items() if words in sent.body), None)
        if sent.to not in answering or asked is None or (sent.to, asked) in answered:
            continue
        answered.add((sent.to, asked))
        reply = answer_of(answering[sent.to], asked)
        if reply:
            text_in(runtime, sent.to, reply, f"SMBENCH-{sent.sid}")


def answer_of(case: dict[str, Any], asked: str) -> str | None:
    """What a citizen who answers texts back: the menu key of the service the set labels (none
    when it labels none: the bench cannot know it), or the area code of their province (the
    label's, else Tehran's: everyone knows their province)."""
    if asked == "sector":
        return next((str(key) for code, _fa, _en, key in SECTOR_ROWS if code == case["sector"] and key), None)
    return BY_CODE[case["province"] or case["known_province"] or "tehran"].area_code


def settled(runtime: Runtime, citizens: dict[str, Any]) -> bool:
    """Every citizen's ticket referred, and every text of theirs answered."""
    with runtime.session() as session:
        referred = session.scalar(select(func.count()).where(Ticket.caller.in_(citizens),
                                                             Ticket.referred_at.is_not(None)))
        unanswered = session.scalar(select(func.count()).where(
            Message.number.in_(citizens), Message.direction == Direction.IN, Message.reply.is_(None)))
    return referred == len(citizens) and not unanswered


def referral_figures(runtime: Runtime, citizens: dict[str, Any]) -> dict[str, Any]:
    """Per way of referral (at once; after an answer, in time or late; when the wait ended with
    none): how many, the share with an agency past the working groups, and the seconds from
    registration to the referral that sent it there (p50, p99; never referred: infinite)."""
    answered = exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == Event.QUESTION_ANSWERED)
    last = (select(func.max(TicketEvent.at)).where(TicketEvent.ticket_id == Ticket.id,
                                                   TicketEvent.kind == TicketStatus.REFERRED).scalar_subquery())
    with runtime.session() as session:
        rows = session.execute(
            select(Ticket.registered_at, last.label("referred_at"), Agency.sector_code,
                   TriageState.asked_at.is_not(None).label("asked"), answered.label("answered"))
            .outerjoin(Agency, Agency.id == Ticket.agency_id)
            .outerjoin(TriageState, TriageState.ticket_id == Ticket.id).where(Ticket.caller.in_(citizens))).all()
    ways = {"all": rows, "at_once": [r for r in rows if not r.asked],
            "answered": [r for r in rows if r.answered], "waited": [r for r in rows if r.asked and not r.answered]}
    figures: dict[str, Any] = {"texts": len(citizens)}
    for way, found in ways.items():
        spans = [(r.referred_at - r.registered_at).total_seconds() if r.referred_at else math.inf for r in found]
        figures[way] = {"tickets": len(found), "to_agency": sum(r.sector_code not in (None, FOAD_SECTOR)
                                                               for r in found) / max(1, len(found)),
                        "p50_s": percentile(spans, 0.5), "p99_s": percentile(spans, 0.99)}
    return figures


def measure(args: argparse.Namespace, folder: Path, url: str) -> dict[str, Any]:
    """Run the pipeline once and return the figures."""
    counts = install()  # the intake's SQL, in this process
    base = read_settings({**os.environ, "DATABASE_URL": url, "FOAD_DATA_DIR": str(folder)})
    with TimedTwilio() as api, redis_url(base) as redis:
        runtime = make_runtime(base, redis)
        if runtime.redis.dbsize():
            raise SystemExit("the Redis database is not empty: give the bench one of its own")
        env = {**os.environ, **api.env(), "DATABASE_URL": url, "REDIS_URL": redis,
               "FOAD_DATA_DIR": str(folder), "FOAD_LOG_LEVEL": args.log_level,
               "FOAD_TRIAGE_WAIT_MINUTES": str(args.triage_wait / 60)}
        logs = args.logs or folder
        logs.mkdir(parents=True, exist_ok=True)
        with workers(args, env, logs) as pids:
            wait_healthy(runtime.redis)
            before, started = jobs_done(runtime.redis), time.monotonic()
            cpu = process_cpu([os.getpid()]), process_cpu(pids, True), machine_busy_seconds()
            calls = (counts.total + sum(read_files(logs / "sql").values()), redis_commands(runtime.redis))
            registered, behind = open_at_rate(runtime, args)
            wait_delivered(api, set(registered))
            elapsed, jobs = time.monotonic() - started, jobs_done(runtime.redis) - before
            cpu = (process_cpu([os.getpid()]) - cpu[0], process_cpu(pids, True) - cpu[1],
                   machine_busy_seconds() - cpu[2])
            calls = (counts.total + sum(read_files(logs / "sql").values()) - calls[0],
                     redis_commands(runtime.redis) - calls[1])
            sms = sms_referrals(runtime, api, args) if args.sms_texts else None
        runtime.close()
    # An official never texted counts as infinitely late: the percentiles are over all tickets.
    latencies = [api.arrived[c] - t if c in api.arrived else math.inf for c, t in registered.items()]
    delivered = sum(1 for value in latencies if value != math.inf)
    tickets = max(1, len(registered))  # per-ticket figures of an empty run are its totals
    return {"worker_cpu_ms_per_ticket": 1000 * cpu[1] / tickets,
            "intake_and_twilio_cpu_ms_per_ticket": 1000 * cpu[0] / tickets,
            "machine_cpu_ms_per_ticket": 1000 * cpu[2] / tickets,
            "cores_busy": cpu[2] / elapsed,
            "sql_per_ticket": calls[0] / tickets, "redis_per_ticket": calls[1] / tickets,
            "tickets": len(registered), "delivered": delivered, "elapsed_s": elapsed,
            "undelivered": len(registered) - delivered, "jobs": jobs,
            "jobs_per_s": jobs / elapsed, "p50_s": percentile(latencies, 0.50),
            "p99_s": percentile(latencies, 0.99), "max_s": percentile(latencies, 1.0),
            "intake_behind_s": behind, "load_average": os.getloadavg()[0], "sms_referrals": sms}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (or `argv`, for another bench running this one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="complaints per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to open them")
    parser.add_argument("--workers", type=int, default=2, help="`foad worker` processes")
    parser.add_argument("--fork", action=argparse.BooleanOptionalAction, default=False,
                        help="a forked work horse per job, or (foad worker's default) not")
    parser.add_argument("--calls", type=float, default=0.5, help="share of complaints by phone")
    parser.add_argument("--logs", type=Path, help="keep the workers' logs in this folder")
    parser.add_argument("--log-level", default="WARNING", help="the workers' FOAD_LOG_LEVEL")
    parser.add_argument("--sms-texts", type=int, default=100,
                        help="SMS complaints of the triage evaluation set to refer (0: none)")
    parser.add_argument("--sms-rate", type=float, default=2.0, help="SMS complaints per second")
    parser.add_argument("--triage-wait", type=float, default=20.0,
                        help="seconds routing waits for an answer (FOAD_TRIAGE_WAIT_MINUTES, in seconds)")
    return parser.parse_args(argv)


def main() -> None:
    """Measure and print the table and the JSON line."""
    args = arguments()
    with tempfile.TemporaryDirectory() as folder, scratch_database(Path(folder)) as url:
        figures = measure(args, Path(folder), url)
    database, mode = make_url(url).get_backend_name(), "fork" if args.fork else "no-fork"
    print(f"{'database':<12}{'workers':>8}{'mode':>9}{'rate/s':>8}{'tickets':>9}{'delivered':>10}"
          f"{'jobs/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'load':>6}")
    print(f"{database:<12}{args.workers:>8}{mode:>9}{args.rate:>8.0f}{figures['tickets']:>9}"
          f"{figures['delivered']:>10}{figures['jobs_per_s']:>8.1f}{milliseconds(figures['p50_s']):>8}"
          f"{milliseconds(figures['p99_s']):>8}{milliseconds(figures['max_s']):>8}"
          f"{figures['load_average']:>6.1f}")
    if figures["undelivered"]:
        print(f"{figures['undelivered']} of {figures['tickets']} officials were never texted: "
              "they count as infinitely late")
    target_met = met(args, figures["p99_s"])
    print(f"target: p99 < {TARGET['p99_s']:g} s at {TARGET['rate_per_s']:g}/s with "
          f"{TARGET['workers']} workers: {'met' if target_met else 'NOT met'}")
    print(f"CPU per ticket: workers {figures['worker_cpu_ms_per_ticket']:.1f} ms, intake and the "
          f"Twilio server {figures['intake_and_twilio_cpu_ms_per_ticket']:.1f} ms "
          f"(the horses' included); the whole machine {figures['machine_cpu_ms_per_ticket']:.1f} ms "
          f"(database and Redis too), {figures['cores_busy']:.2f} of {os.cpu_count()} cores busy")
    if figures["sms_referrals"]:
        print_sms_referrals(figures["sms_referrals"], args.sms_rate, args.triage_wait)
    print(f"a complaint: {figures['sql_per_ticket']:.1f} SQL round trips, "
          f"{figures['redis_per_ticket']:.1f} Redis commands, {figures['jobs'] / figures['tickets']:.2f} RQ jobs")
    print(json.dumps({"bench": "pipeline", "database": database, "workers": args.workers,
                      "mode": mode, "rate_per_s": args.rate, "seconds": args.seconds,
                      "calls_share": args.calls, **{k: _json(v) for k, v in figures.items()},
                      "target": TARGET, "met": target_met}))


def print_sms_referrals(sms: dict[str, Any], rate: float, wait: float) -> None:
    """The SMS complaints' table: referred to an agency past the working groups, and how soon."""
    print(f"\nSMS complaints ({sms['texts']} texts at {rate:g}/s; every other citizen answers; "
          f"the wait {wait:g} s):")
    print(f"{'referred':<10}{'tickets':>8}{'to agency':>11}{'p50 ms':>9}{'p99 ms':>9}")
    for way in ("all", "at_once", "answered", "waited"):
        row = sms[way]
        print(f"{way:<10}{row['tickets']:>8}{row['to_agency']:>10.1%}{milliseconds(row['p50_s']):>9}"
              f"{milliseconds(row['p99_s']):>9}")


def milliseconds(seconds: float) -> str:
    """A time for the table: whole milliseconds, or "never" for an infinite one."""
    return "never" if seconds == math.inf else f"{seconds * 1000:.0f}"


def _json(value: Any) -> Any:
    """Figures as JSON has them: floats rounded, an infinite time as null."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, float):
        return None if value == math.inf else round(value, 4)
    return value


if __name__ == "__main__":
    main()
