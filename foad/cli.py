"""The `foad` command: set-up, operator commands and the entry point of every service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import select

from foad.commands import accounts, reports, voice, workers
from foad.embedded_redis import redis_url
from foad.logs import configure_logging
from foad.runtime import database
from foad.settings import DATA_DIR_MODE, read_settings
from models import documents, lookup, migrate
from models.directory import SAMPLE, DirectoryError, import_csv
from models.errors import DomainError
from models.persian import jalali
from models.settings import Settings
from models.tickets import Ticket, TicketStatus


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """foad: the intake engine of the 128 administrative-complaints line.

    Configuration comes from the environment (see README.md): DATABASE_URL, REDIS_URL,
    FOAD_DATA_DIR, FOAD_* and TWILIO_*.
    """
    settings = read_settings()
    configure_logging(settings)
    ctx.obj = settings


# --- the database and the directory -------------------------------------------------------

@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Create or migrate the schema (SQLite or PostgreSQL) to the newest version."""
    settings.data_dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    click.echo("database is up to date")


@main.group()
def agencies() -> None:
    """The agency directory."""


@agencies.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                required=False)
@click.option("--sample", is_flag=True, help="Import the shipped Tehran/Hamedan sample directory.")
@click.pass_obj
def agencies_import(settings: Settings, csv_file: Path | None, sample: bool) -> None:
    """Add or update agencies and officials from CSV_FILE (columns: docs/directory.md)."""
    if (csv_file is None) == (not sample):
        raise click.UsageError("give a CSV file or --sample, not both")
    with database(settings) as session:
        try:
            report = import_csv(session, csv_file or SAMPLE)
        except DirectoryError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"{len(exc.problems)} problem(s); nothing was imported") from None
    click.echo(f"agencies: {report.agencies_added} added, {report.agencies_updated} updated; "
               f"officials: {report.officials_added} added")


# --- tickets --------------------------------------------------------------------------------

@main.group()
def tickets() -> None:
    """Look at tickets."""


@tickets.command("list")
@click.option("--status", type=click.Choice([s.value for s in TicketStatus]), help="Only this status.")
@click.option("--limit", default=100, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (a list) for scripts.")
@click.pass_obj
def tickets_list(settings: Settings, status: str | None, limit: int, as_json: bool) -> None:
    """List tickets, newest first."""
    query = select(Ticket).order_by(Ticket.registered_at.desc(), Ticket.id.desc()).limit(limit)
    if status:
        query = query.where(Ticket.status == status)
    with database(settings) as session:
        rows = session.scalars(query).unique().all()
        if as_json:
            _echo_json([documents.summary(t) for t in rows])
            return
        for t in rows:
            agency = t.agency.code if t.agency else "-"
            due = jalali(t.due_at, digits="latin") if t.due_at else "-"
            click.echo(f"{t.code}  {t.via:<4} {t.status:<12} {agency:<20} "
                       f"{t.caller or 'withheld':<14} {jalali(t.registered_at, digits='latin')}  due {due}")


@tickets.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="One JSON document for scripts.")
@click.pass_obj
def tickets_show(settings: Settings, code: str, as_json: bool) -> None:
    """Show one ticket with its events, calls, messages and media."""
    with database(settings) as session:
        try:
            doc = documents.full(session, lookup.find_by_code(session, code))
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(doc)
        return
    for key, value in doc.items():
        if isinstance(value, list):
            click.echo(f"{key}:")
            for entry in value:
                click.echo("  " + "  ".join(f"{k}={v}" for k, v in entry.items() if v is not None))
        else:
            click.echo(f"{key}: {value}")


def _echo_json(doc: object) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


# --- services -------------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Gunicorn worker processes.")
@click.option("--threads", default=8, show_default=True, help="Threads of each worker (requests at once).")
@click.pass_obj
def web(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the SMS webhook, the console and /healthz over HTTP (gunicorn, threaded workers)."""
    from foad.web import WebServer

    with redis_url(settings) as url:
        WebServer(settings, url, host=host, port=port, workers=workers, threads=threads).run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Web address.")
@click.option("--port", default=8000, show_default=True, help="Web port.")
@click.option("--fastagi-host", default="127.0.0.1", show_default=True,
              help="FastAGI address: only Asterisk should reach it (see FOAD_FASTAGI_ALLOW).")
@click.option("--fastagi-port", default=4573, show_default=True, help="FastAGI port.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, fastagi_host: str, fastagi_port: int) -> None:
    """Run everything in one process tree: Redis (if embedded), web, FastAGI and a worker."""
    from foad.serve import serve_all

    with redis_url(settings) as url:
        serve_all(url, host=host, port=port, fastagi_port=fastagi_port, fastagi_host=fastagi_host)


for group in (workers.worker, workers.holidays, voice.fastagi, voice.call, voice.prompts, accounts.users,
              reports.reports):
    main.add_command(group)
