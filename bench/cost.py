"""What one complaint costs end to end, counted: CPU, SQL round trips and Redis commands.

    .venv/bin/python bench/cost.py [--complaints 400] [--calls 0.5]

In one process and one thread, so that every figure is this code's alone whatever else the
machine runs: complaints by phone go through the intake service as FastAGI hands them over
(the caller is texted the code), complaints by SMS are posted, signed, to the real webhook
(Flask's test client), then an in-process `foad worker` (its default mode) runs every job
they caused (answering, routing, each SMS, sent through the real twilio client to the
tests' Twilio-compatible server). Counted: this thread's CPU time (time.thread_time; the
Twilio stand-in runs in another thread and is not counted), the CPU of the PostgreSQL
backends it talked to and of its own Redis server; SQL round trips as the driver sends them
(statements, BEGIN, COMMIT, ROLLBACK, savepoints, pool pings) and Redis commands as the
server counts them (INFO commandstats). Prints a table, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, beside this

from sqlalchemy.engine import make_url  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from counting import KINDS, SqlCounts, install, process_cpu, redis_commands, redis_cpu  # noqa: E402
from intake import scratch_database  # noqa: E402
from pipeline import TimedTwilio  # noqa: E402
from sms_webhook import PATH, PUBLIC, sender  # noqa: E402
from foad.app import create_app  # noqa: E402
from foad.embedded_redis import redis_url  # noqa: E402
from foad.jobs import FUNCTIONS  # noqa: E402
from foad.runtime import make_runtime  # noqa: E402
from foad.settings import read_settings  # noqa: E402
from models.intake import Complaint, IntakeRules, open_ticket  # noqa: E402
from models.runtime import bind  # noqa: E402
from models.tickets import Via  # noqa: E402
from worker import context  # noqa: E402
from worker.queues import ALL  # noqa: E402
from worker.runner import FoadSimpleWorker  # noqa: E402

TARGETS = {"cpu_ms": 12.0, "sql": 15.0, "redis": 60.0}
"""Per complaint: machine CPU (ours, the database's and Redis's), SQL round trips, Redis commands."""


class Meter:
    """This thread's CPU, the database backends' and Redis's CPU, SQL round trips and Redis
    commands: `lap()` gives what each cost since the last lap."""

    def __init__(self, counts: SqlCounts, runtime: Any) -> None:
        self.counts, self.redis = counts, runtime.redis
        self.last = self.read()

    def read(self) -> dict[str, float]:
        """The running totals now."""
        return {"thread_cpu": time.thread_time(), "database_cpu": process_cpu(self.counts.backends),
                "redis_cpu": redis_cpu(self.redis), "sql": self.counts.total,
                **{f"sql_{kind}": self.counts[kind] for kind in KINDS},
                "redis": redis_commands(self.redis)}

    def lap(self) -> dict[str, float]:
        """What was spent since the last lap."""
        now = self.read()
        spent = {key: now[key] - self.last[key] for key in now}
        self.last = self.read()  # reading costs Redis commands of its own: not counted
        return spent


def texter(api: TimedTwilio, client: Any) -> Callable[[int], None]:
    """Post text `n` to the webhook, signed as Twilio signs it."""
    validator = RequestValidator(api.auth_token)

    def text(n: int) -> None:
        sid = f"SM{n:032d}"
        form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": api.account_sid, "From": sender(7, n),
                "To": "+98128", "Body": "کارمند باجه ۳ ساعت در محل کار حاضر نبود و صف طولانی شد",
                "NumMedia": "0", "NumSegments": "2", "FromCountry": "IR"}
        signature = validator.compute_signature(PUBLIC + PATH, form)
        reply = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature},
                            base_url=PUBLIC)
        assert reply.status_code == 200, reply.status_code

    return text


def complaints(runtime: Any, text: Callable[[int], None], first: int, count: int, calls: float) -> int:
    """Open `count` complaints, a `calls` share by phone (intake, as FastAGI does), the rest
    by SMS (the webhook); how many were calls."""
    rules, made = IntakeRules(max_per_hour=1_000_000), 0
    for n in range(first, first + count):
        if (n * calls) % 1 + calls >= 1:  # spreads the calls evenly
            with runtime.session() as session:
                open_ticket(session, Complaint(via=Via.CALL, caller=sender(8, n), text=None,
                                               voice_path=f"/var/spool/asterisk/{n}.wav",
                                               sector="banks", province="tehran"), rules)
            made += 1
        else:
            text(n)
    return made


def work(runtime: Any) -> int:
    """Run every queued job in this thread with the default worker; how many ran."""
    worker = FoadSimpleWorker(list(ALL), connection=runtime.redis)
    worker.work(burst=True, logging_level="WARNING")
    return worker.jobs_run


def measure(args: argparse.Namespace, folder: Path, url: str) -> dict[str, Any]:
    """Warm up, then count `--complaints` complaints and every job they caused."""
    counts = install()
    with TimedTwilio() as api:
        env = {**os.environ, **api.env(), "DATABASE_URL": url, "FOAD_DATA_DIR": str(folder),
               "FOAD_PUBLIC_BASE_URL": PUBLIC, "FOAD_LOG_LEVEL": "WARNING"}
        with redis_url(read_settings(env)) as redis:
            runtime = make_runtime(read_settings({**env, "REDIS_URL": redis}), redis)
            bind(runtime)
            context.bind_jobs(FUNCTIONS)
            text = texter(api, create_app(runtime).test_client())
            complaints(runtime, text, 0, args.warm_up, args.calls)
            work(runtime)
            meter = Meter(counts, runtime)
            calls = complaints(runtime, text, args.warm_up, args.complaints, args.calls)
            intake = meter.lap()
            jobs = work(runtime)
            jobs_cost = meter.lap()
            sent = len(api.messages)
            runtime.close()
    return {"complaints": args.complaints, "calls": calls, "jobs": jobs, "sms_sent": sent,
            "intake": intake, "jobs_cost": jobs_cost}


def per_complaint(figures: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each phase's costs divided by the complaints, and their sum ("all")."""
    n = figures["complaints"]
    phases = {name: {key: value / n for key, value in figures[name].items()}
              for name in ("intake", "jobs_cost")}
    phases["all"] = {key: phases["intake"][key] + phases["jobs_cost"][key] for key in phases["intake"]}
    for phase in phases.values():
        phase["cpu_ms"] = 1000 * (phase["thread_cpu"] + phase["database_cpu"] + phase["redis_cpu"])
    return phases


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=400, help="complaints counted")
    parser.add_argument("--warm-up", type=int, default=40, help="complaints before counting")
    parser.add_argument("--calls", type=float, default=0.5, help="share of complaints by phone")
    return parser.parse_args()


def main() -> None:
    """Measure, print the table and the JSON line."""
    args = arguments()
    with tempfile.TemporaryDirectory() as folder, scratch_database(Path(folder)) as url:
        figures = measure(args, Path(folder), url)
    database = make_url(url).get_backend_name()
    phases = per_complaint(figures)
    print(f"{database}: {figures['complaints']} complaints ({figures['calls']} by phone), "
          f"{figures['jobs']} jobs ({figures['jobs'] / figures['complaints']:.2f} a complaint), "
          f"{figures['sms_sent']} SMS sent; load average {os.getloadavg()[0]:.1f}")
    print(f"{'a complaint':<14}{'CPU ms':>8}{'ours':>7}{'db':>7}{'redis':>7}{'SQL':>7}"
          f"{'BEGIN':>7}{'COMMIT':>7}{'ROLLBK':>7}{'ping':>6}{'Redis':>7}")
    for name, label in (("intake", "intake, webhook"), ("jobs_cost", "jobs"), ("all", "end to end")):
        p = phases[name]
        print(f"{label:<14}{p['cpu_ms']:>8.2f}{1000 * p['thread_cpu']:>7.2f}{1000 * p['database_cpu']:>7.2f}"
              f"{1000 * p['redis_cpu']:>7.2f}{p['sql']:>7.1f}{p['sql_begin']:>7.1f}{p['sql_commit']:>7.1f}"
              f"{p['sql_rollback']:>7.1f}{p['sql_ping']:>6.1f}{p['redis']:>7.1f}")
    total = phases["all"]
    met = {"cpu_ms": total["cpu_ms"] <= TARGETS["cpu_ms"], "sql": total["sql"] <= TARGETS["sql"],
           "redis": total["redis"] <= TARGETS["redis"]}
    print("targets a complaint: " + ", ".join(
        f"{key} <= {TARGETS[key]:g}: {'met' if ok else 'NOT met'}" for key, ok in met.items()))
    print(json.dumps({"bench": "cost", "database": database, **{k: figures[k] for k in
                      ("complaints", "calls", "jobs", "sms_sent")},
                      "per_complaint": {name: {k: round(v, 4) for k, v in p.items()}
                                        for name, p in phases.items()},
                      "targets": TARGETS, "met": met, "load_average": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
