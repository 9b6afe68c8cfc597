"""`foad agencies …`: the agency directory, imported from CSV and listed (codes for
`foad users add --agency`, `foad tickets list --agency`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from foad.commands.output import echo_json, echo_table
from foad.runtime import database
from models.agencies import Agency, Sector
from models.directory import SAMPLE, DirectoryError, import_csv
from models.provinces import BY_CODE
from models.settings import Settings


@click.group()
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


@agencies.command("list")
@click.option("--sector", help="Only this sector's agencies (municipality, banks, tax …).")
@click.option("--province", type=click.Choice(sorted(BY_CODE)), metavar="PROVINCE",
              help="Only this province's agencies (tehran, hamadan …; national bodies have none).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (a list) for scripts.")
@click.pass_obj
def agencies_list(settings: Settings, sector: str | None, province: str | None, as_json: bool) -> None:
    """List the agencies: national bodies first, then by province, sector and level."""
    with database(settings) as session:
        if sector and session.get(Sector, sector) is None:
            known = ", ".join(session.scalars(select(Sector.code).order_by(Sector.code)))
            raise click.BadParameter(f"{sector!r} is not a sector; choose from {known}", param_hint="--sector")
        query = select(Agency).order_by(Agency.province_code.is_not(None), Agency.province_code,
                                        Agency.sector_code, Agency.code)
        if sector:
            query = query.where(Agency.sector_code == sector)
        if province:
            query = query.where(Agency.province_code == province)
        rows = [_document(a) for a in session.scalars(query).unique()]
    if as_json:
        echo_json(rows)
        return
    echo_table(("code", "level", "sector", "province", "parent", "name"),
               [(r["code"], r["level"], r["sector"], r["province"] or "-", r["parent"] or "-",
                 r["name_en"]) for r in rows])


def _document(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "level": agency.level, "sector": agency.sector_code,
            "parent": agency.parent.code if agency.parent else None, "province": agency.province_code,
            "county": agency.county, "name_fa": agency.name_fa, "name_en": agency.name_en,
            "joined_on": agency.joined_on.isoformat() if agency.joined_on else None}
