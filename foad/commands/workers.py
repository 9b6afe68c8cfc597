"""`foad worker [health]` and `foad holidays …`: the workers and the days their clock skips."""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import select

from foad.jobs import FUNCTIONS
from foad.runtime import database, running
from models.settings import Settings
from worker.health import OUTBOX_STALE
from worker.queues import ALL
from worker.runner import MAX_JOBS, MAX_MEMORY_MB, run


def _queue_names(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in ALL]
    if unknown or not names:
        raise click.BadParameter(f"choose from {', '.join(ALL)}, not {', '.join(unknown) or 'nothing'}")
    return names


@click.group(invoke_without_command=True)
@click.option("--queues", default=",".join(ALL), show_default=True, callback=_queue_names,
              help="Comma-separated queues to work, in priority order.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty (for scripts and tests).")
@click.option("--name", help="Worker name (default: a random id).")
@click.option("--fork/--no-fork", default=False, show_default=True,
              help="Run each job in a forked work horse (isolated, ~50 ms of CPU a job), or "
                   "in the worker's own process (RQ's timeouts enforced; replaced as below).")
@click.option("--max-jobs", type=click.IntRange(min=1), default=MAX_JOBS, show_default=True,
              help="Without --fork: jobs a worker process runs before a fresh one takes over.")
@click.option("--max-memory", type=click.IntRange(min=16), default=MAX_MEMORY_MB, show_default=True,
              help="Without --fork: resident megabytes past which a fresh process takes over.")
@click.option("--metrics-port", type=int, help="Serve Prometheus' /metrics on this port "
              "(default: FOAD_METRICS_PORT; none when unset).")
@click.pass_context
def worker(ctx: click.Context, queues: tuple[str, ...], burst: bool, name: str | None,
           fork: bool, max_jobs: int, max_memory: int, metrics_port: int | None) -> None:
    """Run an RQ worker with RQ's scheduler and the periodic jobs, after relaying the outbox.

    Run one per CPU; any number of machines may share one Redis. Jobs run in the worker's
    process (a warm parent replaces it after --max-jobs, past --max-memory, after a job timed
    out, or when a job killed it), or with --fork each in a work horse of its own.
    """
    if ctx.invoked_subcommand is not None:
        return
    from foad.metrics import counted_in_files, serve_metrics

    port = metrics_port or ctx.obj.metrics_port
    # The work horses (or the process that works in-process) count in files, one at a time.
    counting = counted_in_files("worker", one_child_at_a_time=True) if port else contextlib.nullcontext()
    with running(ctx.obj) as rt, counting:
        serve_metrics(ctx.obj, port)
        clean = run(rt, FUNCTIONS, queues=queues, burst=burst, name=name, fork=fork,
                    max_jobs=max_jobs, max_memory_mb=max_memory)
    sys.exit(0 if clean else 1)


@worker.command("health")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for monitoring.")
@click.option("--outbox-minutes", type=click.FloatRange(min=0, min_open=True),
              default=OUTBOX_STALE.total_seconds() / 60, show_default=True,
              help="Outbox work not done for longer than this is a problem.")
@click.pass_obj
def worker_health(settings: Settings, as_json: bool, outbox_minutes: float) -> None:
    """Exit 0 when a live worker serves every queue, RQ's scheduler runs, periodic jobs tick
    and no outbox work waits longer than --outbox-minutes."""
    from worker.health import check, check_outbox

    with running(settings) as rt:
        report = check(rt.redis)
        with rt.session() as session:
            check_outbox(report, session, timedelta(minutes=outbox_minutes))
    report.fixed_now = settings.fixed_now
    if as_json:
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        click.echo(f"{len(report.workers)} live worker(s); last periodic tick "
                   f"{report.last_tick_age if report.last_tick_age is not None else 'never'} s ago")
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        if report.fixed_now:
            click.echo(f"warning: FOAD_FIXED_NOW={report.fixed_now.isoformat()}: jobs act as if it "
                       "were always then, so no deadline passes")
        click.echo("healthy" if report.healthy else "NOT healthy")
    sys.exit(0 if report.healthy else 1)


@click.group()
def holidays() -> None:
    """The days off the business-hours deadline clock skips (FOAD_BUSINESS_HOURS)."""


@holidays.command("add")
@click.argument("day")
@click.argument("name")
@click.pass_obj
def holidays_add(settings: Settings, day: str, name: str) -> None:
    """Add (or rename) the holiday DAY (YYYY-MM-DD, Gregorian or Jalali) called NAME."""
    _import(settings, [{"date": day, "name": name}])


@holidays.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def holidays_import(settings: Settings, csv_file: Path) -> None:
    """Add or rename the holidays in CSV_FILE (columns: date, name)."""
    from models.holidays import read_csv

    try:
        rows = read_csv(csv_file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    _import(settings, rows)


def _import(settings: Settings, rows: list[dict[str, str]]) -> None:
    from models.holidays import import_rows

    with database(settings) as session:
        try:
            added, renamed = import_rows(session, rows)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"holidays: {added} added, {renamed} renamed")


@holidays.command("list")
@click.pass_obj
def holidays_list(settings: Settings) -> None:
    """List the holidays, oldest first, with their Jalali dates."""
    import jdatetime

    from models.holidays import Holiday

    with database(settings) as session:
        for holiday in session.scalars(select(Holiday).order_by(Holiday.day)):
            jalali = jdatetime.date.fromgregorian(date=holiday.day).strftime("%Y-%m-%d")
            click.echo(f"{holiday.day.isoformat()}  {jalali}  {holiday.name}")
