"""The `foad` command: set-up, operator commands and the entry point of every service."""

from __future__ import annotations

import contextlib

import click

from foad.commands import accounts, apikeys, directory, link, reports, search, texting, tickets, voice, workers
from foad.embedded_redis import redis_url
from foad.logs import configure_logging
from foad.settings import DATA_DIR_MODE, read_settings
from models import migrate
from models.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="foad", message="foad %(version)s")
@click.pass_context
def main(ctx: click.Context) -> None:
    """foad: the intake engine of the 128 administrative-complaints line.

    Configuration comes from the environment (see README.md): DATABASE_URL, REDIS_URL,
    FOAD_DATA_DIR, FOAD_* (FOAD_SMPP_* for the operator's SMSC) and TWILIO_*.
    """
    settings = read_settings()
    configure_logging(settings)
    ctx.obj = settings


# --- the database -------------------------------------------------------------------------

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


# --- services -------------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Gunicorn worker processes.")
@click.option("--threads", default=8, show_default=True, help="Threads of each worker (requests at once).")
@click.pass_obj
def web(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the SMS webhook, the console and /healthz over HTTP (gunicorn, threaded workers)."""
    from foad.metrics import counted_in_files
    from foad.web import WebServer

    # Gunicorn's workers count in files, so that /metrics sums them whichever one answers.
    with redis_url(settings) as url, counted_in_files("web"):
        WebServer(settings, url, host=host, port=port, workers=workers, threads=threads).run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Web address.")
@click.option("--port", default=8000, show_default=True, help="Web port.")
@click.option("--fastagi-host", default="127.0.0.1", show_default=True,
              help="FastAGI address: only Asterisk should reach it (see FOAD_FASTAGI_ALLOW).")
@click.option("--fastagi-port", default=4573, show_default=True, help="FastAGI port.")
@click.option("--local-twilio", is_flag=True,
              help="Without TWILIO_*: send texts to a local Twilio-compatible server (see `foad sms`).")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, fastagi_host: str, fastagi_port: int,
          local_twilio: bool) -> None:
    """Run everything in one process tree: Redis (if embedded), web, FastAGI, a worker, and
    the SMPP link when FOAD_SMPP_HOST is set."""
    from foad.banner import banner
    from foad.devtools.local_twilio import serving
    from foad.serve import Addresses, serve_all

    at = Addresses(host, port, fastagi_host, fastagi_port, settings.metrics_port)
    texts = serving(settings) if local_twilio else contextlib.nullcontext({})
    with redis_url(settings) as url, texts as env:
        serve_all(url, at, ready=lambda: click.echo("\n".join(banner(settings, url, at, local_texts=bool(env)))),
                  env=env, smpp=settings.smpp.configured)


for group in (directory.agencies, tickets.tickets, workers.worker, workers.holidays, voice.fastagi, voice.call,
              voice.prompts, texting.sms, link.smpp, accounts.users, reports.reports, apikeys.apikeys,
              search.search):
    main.add_command(group)
