"""Importing the agency directory from a CSV file that operators keep as a spreadsheet.

One row per agency: code, level, sector, parent (a code), province, county, name_fa,
name_en, joined_on (YYYY-MM-DD, Gregorian or Jalali), head_name, head_mobile, senior_name, senior_mobile,
and optionally aliases (other names citizens write, `;`-separated; a file without the column
leaves the aliases already stored alone). Rows may come in any order; a file with any bad row
imports nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

import jdatetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import FOAD_SECTOR, Agency, Level, Official, Role, Sector
from models.persian import latin_digits
from models.phones import identify
from models.provinces import BY_CODE

JALALI_BEFORE = 1700
"""A joined_on year below this is a Jalali year (1403 is 2024)."""
REQUIRED_COLUMNS = ("code", "level", "sector", "name_fa", "name_en")
ALIASES_MAX = 500
"""The longest aliases cell stored (the column's width)."""
SAMPLE = Path(__file__).parent / "data" / "directory-sample.csv"
"""Tehran and Hamedan, all four levels, every sector; officials' numbers in +98 997, a
range no Iranian operator has been given, so the sample can never text a real person."""


class DirectoryError(ValueError):
    """The file has rows that cannot be imported; `problems` says which and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    """What an import changed."""

    agencies_added: int = 0
    agencies_updated: int = 0
    officials_added: int = 0
    problems: list[str] = field(default_factory=list)


def import_csv(session: Session, path: Path) -> ImportReport:
    """Import (add or update) the directory in `path`, then commit."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DirectoryError([f"the header has no column {c!r}" for c in missing])
        rows = list(reader)
    return import_rows(session, rows)


def import_rows(session: Session, rows: Iterable[Mapping[str, str]]) -> ImportReport:
    """Import rows shaped like the CSV's; raises DirectoryError and imports nothing if any is bad."""
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in rows]
    report = ImportReport()
    _validate(session, rows, report.problems)
    if report.problems:
        raise DirectoryError(report.problems)
    by_code = {a.code: a for a in session.scalars(select(Agency))}
    for row in rows:
        agency = by_code.get(row["code"])
        if agency is None:
            agency = by_code[row["code"]] = Agency(code=row["code"])
            session.add(agency)
            report.agencies_added += 1
        else:
            report.agencies_updated += 1
        _fill(agency, row)
    session.flush()
    for row in rows:
        agency = by_code[row["code"]]
        agency.parent = by_code[row["parent"]] if row.get("parent") else None
        report.officials_added += _officials(session, agency, row)
    session.commit()
    return report


def _validate(session: Session, rows: list[dict[str, str]], problems: list[str]) -> None:
    sectors = set(session.scalars(select(Sector.code)))
    known = set(session.scalars(select(Agency.code))) | {r.get("code", "") for r in rows}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"line {number} ({row.get('code') or 'no code'})"
        missing = [c for c in REQUIRED_COLUMNS if not row.get(c)]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if row["level"] not in Level.__members__.values():
            problems.append(f"{where}: level must be one of {', '.join(Level)}")
        if row["sector"] not in sectors:
            problems.append(f"{where}: unknown sector {row['sector']!r}")
        if row.get("parent") and row["parent"] not in known:
            problems.append(f"{where}: unknown parent {row['parent']!r}")
        if row.get("province") and row["province"] not in BY_CODE:
            problems.append(f"{where}: unknown province {row['province']!r}")
        problems.extend(f"{where}: {p}" for p in _date_problem(row.get("joined_on", "")))
        if len(aliases(row.get("aliases", "")) or "") > ALIASES_MAX:
            problems.append(f"{where}: aliases are longer than {ALIASES_MAX} characters")
        for column in ("head_mobile", "senior_mobile"):
            if row.get(column) and identify(row[column]).e164 is None:
                problems.append(f"{where}: {column} {row[column]!r} is not a phone number")


def joined_on(text: str) -> date | None:
    """A YYYY-MM-DD date, Gregorian or (years before 1700) Jalali, as operators type them."""
    if not text:
        return None
    given = date.fromisoformat(latin_digits(text))
    if given.year < JALALI_BEFORE:
        return jdatetime.date(given.year, given.month, given.day).togregorian()
    return given


def aliases(cell: str) -> str | None:
    """An aliases cell tidied: `;`-separated names stripped, empty and repeated ones dropped."""
    names = dict.fromkeys(name.strip() for name in cell.split(";"))
    return ";".join(name for name in names if name) or None


def _date_problem(text: str) -> list[str]:
    try:
        joined_on(text)
    except ValueError:
        return [f"joined_on {text!r} is not a YYYY-MM-DD date (Gregorian or Jalali)"]
    return []


def _fill(agency: Agency, row: dict[str, str]) -> None:
    agency.level = Level(row["level"])
    agency.sector_code = row["sector"]
    agency.province_code = row.get("province") or None
    agency.county = row.get("county") or None
    agency.name_fa, agency.name_en = row["name_fa"], row["name_en"]
    agency.joined_on = joined_on(row.get("joined_on", ""))
    if "aliases" in row:  # an older file without the column keeps the stored aliases
        agency.aliases = aliases(row["aliases"])


def _officials(session: Session, agency: Agency, row: dict[str, str]) -> int:
    """Add the head and the senior official named in the row unless already there."""
    head_role = Role.WORKING_GROUP if agency.sector_code == FOAD_SECTOR else Role.HEAD_OF_INSPECTION
    added = 0
    for prefix, role in (("head", head_role), ("senior", Role.SENIOR_OFFICIAL)):
        name, mobile = row.get(f"{prefix}_name"), row.get(f"{prefix}_mobile")
        if not (name and mobile):
            continue
        e164 = identify(mobile).e164
        official = session.scalar(select(Official).where(
            Official.agency_id == agency.id, Official.mobile == e164))
        if official is None:
            session.add(Official(agency=agency, name=name, mobile=e164, role=role))
            added += 1
        else:
            official.name, official.role, official.active = name, role, True
    return added
