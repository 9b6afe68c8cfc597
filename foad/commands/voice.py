"""`foad fastagi`, `foad call` and `foad prompts`: the voice side's commands."""

from __future__ import annotations

import click

from foad.runtime import database, running
from models.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=4573, show_default=True)
@click.option("--metrics-port", type=int, help="Serve Prometheus' /metrics on this port "
              "(default: FOAD_METRICS_PORT; none when unset).")
@click.option("--processes", type=click.IntRange(min=1), help="Serve calls in this many processes on "
              "the one port, e.g. one per core (default: FOAD_FASTAGI_PROCESSES, 1).")
@click.pass_obj
def fastagi(settings: Settings, host: str, port: int, metrics_port: int | None, processes: int | None) -> None:
    """Serve Asterisk's FastAGI calls: agi://HOST:PORT/intake?line=… and /hangup.

    One process serves calls in threads, its Python on one core; --processes N forks N such
    servers on the same port and keeps them running (one that dies is replaced).
    """
    from foad.metrics import CallsInProgress, serve_metrics

    metrics_at = metrics_port or settings.metrics_port
    processes = processes or settings.fastagi_processes
    if processes > 1:
        from foad.fastagi_processes import serve as serve_processes

        serve_processes(settings, host, port, processes, listening=lambda counts: serve_metrics(
            settings, metrics_at, CallsInProgress(counts)))
        return
    from ivr.fastagi import serve as serve_fastagi

    with running(settings) as rt:
        serve_fastagi(rt, host, port, listening=lambda server: serve_metrics(
            settings, metrics_at, CallsInProgress(server)))


@click.command("call")
@click.option("--from", "caller", required=True, help="Caller id: 02188776655, +447700900123, unknown.")
@click.option("--to", "dialled", help="The number dialled (default: the service number, 128).")
@click.option("--keys", default="", help='What the caller does, one token per prompt that listens, '
              'e.g. "1 3 2 # 1" (see above).')
@click.option("--name", help="Caller id name.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The FastAGI server.")
@click.option("--port", default=4573, show_default=True)
@click.option("--quiet", is_flag=True, help="Only the outcome, not every AGI exchange.")
@click.pass_obj
def call(settings: Settings, caller: str, dialled: str | None, keys: str, name: str | None,
         host: str, port: int, quiet: bool) -> None:
    """Place a call without Asterisk: play Asterisk's side against a running `foad fastagi`.

    --keys is what the caller does, one space-separated token for each prompt that listens
    for keys, in order (a prompt nobody can interrupt just plays):

    \b
      1, 21, 4821930576#   keys (a menu takes the whole token; # ends it early)
      -                    silence: a menu times out, a recording hears nothing
      h                    hang up during the next prompt that listens
      #                    at the recording: talk 4 s, then press #
      TOKEN@SECONDS        when it happens; at the recording, how long the caller
                           talks (#@30: talk 30 s, then #; h@3: hang up after 3 s)

    \b
    Examples:
      a Tehran landline's complaint:   --from 02188776655 --keys "1 3 2 # 1"
        (new complaint, service 3, category 2, talk then #, 1 submits)
      a mobile is asked its province:  --from 09121234567 --keys "1 3 2 21 # 1"
      the overseas line, in English:   --to +989372840000 --keys "2 1 2 5 # 1"
      following a ticket up:           --keys "2 4821930576#"
    """
    from ivr.peer.show import CallError, place_and_tell

    try:
        told = place_and_tell(settings, caller=caller, dialled=dialled, keys=keys, name=name,
                              host=host, port=port, verbose=not quiet)
    except CallError as exc:
        raise click.ClickException(str(exc)) from None
    for line_out in told:
        click.echo(line_out)


@click.group()
def prompts() -> None:
    """The voice prompts."""


@prompts.command("build")
@click.option("--force", is_flag=True, help="Render every prompt, changed or not.")
@click.option("--jobs", default=4, show_default=True, help="Prompts rendered at once.")
@click.pass_obj
def prompts_build(settings: Settings, force: bool, jobs: int) -> None:
    """Render the prompts (Persian and English) to 8 kHz WAV with espeak-ng and sox."""
    from sqlalchemy.exc import DBAPIError

    from ivr.prompts import catalog
    from ivr.render import RenderError, build

    try:
        with database(settings) as session:
            every = catalog(session)
    except DBAPIError:
        raise click.ClickException("the menus come from the directory: run `foad db upgrade` and "
                                   "`foad agencies import` first") from None
    try:
        report = build(every, settings.sounds_dir, force=force, jobs=jobs)
    except RenderError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"prompts: {report.rendered} rendered, {report.unchanged} unchanged, in {report.folder}")
    click.echo(f"for Asterisk: link {report.folder}/fa/foad and {report.folder}/en/foad into its sounds "
               f"folder (e.g. /var/lib/asterisk/sounds/fa/foad), and copy fa/digits there too")
