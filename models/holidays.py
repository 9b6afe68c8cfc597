"""Official holidays, kept as data: the business-hours deadline clock stands still on them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

import jdatetime

from models.base import Base
from models.directory import JALALI_BEFORE
from models.persian import latin_digits


class Holiday(Base):
    """A day off on which the business-hours clock stands still."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day, Gregorian or (years before 1700) Jalali; ValueError if neither.

    Jalali dates are read as Jalali from the start: 1405-02-31 is a real day.
    """
    year, month, day = (int(part) for part in latin_digits(text).strip().split("-"))
    if year < JALALI_BEFORE:
        return jdatetime.date(year, month, day).togregorian()
    return date(year, month, day)


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a holidays CSV file (columns: date, name); ValueError if it has neither."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not {"date", "name"} <= set(reader.fieldnames or []):
            raise ValueError(f"{path.name}: the header needs the columns date and name")
        return list(reader)


def import_rows(session: Session, rows: Iterable[Mapping[str, str]]) -> tuple[int, int]:
    """Add or rename holidays (dates YYYY-MM-DD, Gregorian or Jalali); commit; (added, renamed).

    Raises ValueError naming every bad row, and then imports nothing.
    """
    added = renamed = 0
    for day, name in _parse(rows):
        existing = session.get(Holiday, day)
        if existing is None:
            session.add(Holiday(day=day, name=name))
            added += 1
        elif existing.name != name:
            existing.name = name
            renamed += 1
    session.commit()
    return added, renamed


def _parse(rows: Iterable[Mapping[str, str]]) -> list[tuple[date, str]]:
    days, problems = [], []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        text, name = (row.get("date") or "").strip(), (row.get("name") or "").strip()
        try:
            days.append((parse_day(text), name))
        except ValueError:
            problems.append(f"line {number}: needs a YYYY-MM-DD date, not {text!r}")
        if not name:
            problems.append(f"line {number}: needs a name")
    if problems:
        raise ValueError("; ".join(problems))
    return days
