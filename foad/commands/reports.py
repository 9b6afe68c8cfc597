"""`foad reports refresh`: roll the report cards' months up now, for any period."""

from __future__ import annotations

import click

from foad.runtime import database
from models.base import utcnow
from models.reports import periods, rollup
from models.settings import Settings


@click.group()
def reports() -> None:
    """Report cards."""


@reports.command("refresh")
@click.argument("period", required=False)
@click.pass_obj
def reports_refresh(settings: Settings, period: str | None) -> None:
    """Roll up PERIOD's months (a key like 1405, 1405-Q3, 1405-07; default: this year) now."""
    try:
        chosen = periods.parse(period) if period else periods.containing(utcnow(), "year")
    except periods.PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD")
    with database(settings) as session:
        rollup.refresh(session, chosen.year, range(chosen.months[0], chosen.months[-1] + 1),
                       settings.response_deadline)
    click.echo(f"report months of {chosen.key} rolled up")
