"""Jalali report periods (month, quarter, year), Jalali dates typed into forms, list pages.

A period runs from Tehran midnight of its first day to Tehran midnight of the day after its
last, as UTC instants, so a ticket belongs to the period in which Tehran saw it registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import jdatetime

from models.persian import TEHRAN, latin_digits, persian_digits

MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
             "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
SEASONS_FA = ("بهار", "تابستان", "پاییز", "زمستان")
"""The Jalali quarters are the seasons: Farvardin-Khordad is spring."""

FIRST_YEAR, LAST_YEAR = 1390, 1499
"""Years a period may name (128 began in the 1390s); others are typing mistakes."""

_KEY = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


class PeriodError(ValueError):
    """Text that is not a period key or a Jalali date."""


@dataclass(frozen=True, order=True)
class Period:
    """A Jalali month ("1405-07"), quarter ("1405-Q3") or year ("1405")."""

    year: int
    kind: str
    number: int
    """The month (1-12), the quarter (1-4), or 1 for a year."""

    @property
    def key(self) -> str:
        """The period as it appears in URLs and CSV files."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-Q{self.number}" if self.kind == "quarter" else str(self.year)

    @property
    def months(self) -> tuple[int, ...]:
        """The Jalali months (1-12) the period covers."""
        if self.kind == "month":
            return (self.number,)
        if self.kind == "quarter":
            return tuple(range(3 * self.number - 2, 3 * self.number + 1))
        return tuple(range(1, 13))

    @property
    def first_day(self) -> jdatetime.date:
        """The period's first Jalali day."""
        return jdatetime.date(self.year, self.months[0], 1)

    @property
    def start(self) -> datetime:
        """Tehran midnight of the first day, in UTC."""
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Tehran midnight after the last day, in UTC (exclusive)."""
        last = self.months[-1]
        after = jdatetime.date(self.year + 1, 1, 1) if last == 12 else jdatetime.date(self.year, last + 1, 1)
        return _midnight(after)

    @property
    def label(self) -> str:
        """The period in Persian: "مهر ۱۴۰۵", "پاییز ۱۴۰۵", "سال ۱۴۰۵"."""
        if self.kind == "month":
            name = MONTHS_FA[self.number - 1]
        else:
            name = SEASONS_FA[self.number - 1] if self.kind == "quarter" else "سال"
        return f"{name} {persian_digits(self.year)}"

    def started_on_or_after(self, day: date | None) -> bool:
        """True when the whole period lies on or after `day` (an agency's joining date)."""
        return day is None or self.first_day.togregorian() >= day

    def ended_after(self, day: date | None) -> bool:
        """True when some of the period lies on or after `day` (an agency that joined that day
        was on the line during it)."""
        return day is None or self.end.astimezone(TEHRAN).date() > day


def parse(key: str) -> Period:
    """A period from its key ("1405", "1405-Q3", "1405-07"; Persian digits too)."""
    match = _KEY.match(latin_digits(key.strip()))
    if not match:
        raise PeriodError(f"not a period: {key!r}")
    year, part = int(match[1]), match[2]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"no report cards for the year {year}")
    if part is None:
        return Period(year, "year", 1)
    if part.startswith("Q"):
        return Period(year, "quarter", int(part[1]))
    if not 1 <= int(part) <= 12:
        raise PeriodError(f"no month {part} in a year")
    return Period(year, "month", int(part))


def containing(moment: datetime, kind: str) -> Period:
    """The period of `kind` in which Tehran saw `moment`."""
    local = jdatetime.date.fromgregorian(date=moment.astimezone(TEHRAN).date())
    if kind == "month":
        return Period(local.year, "month", local.month)
    if kind == "quarter":
        return Period(local.year, "quarter", (local.month - 1) // 3 + 1)
    return Period(local.year, "year", 1)


def parts(period: Period) -> tuple[Period, ...]:
    """A period with the months (and for a year, the quarters) inside it."""
    months = tuple(Period(period.year, "month", m) for m in period.months)
    if period.kind == "year":
        quarters = tuple(Period(period.year, "quarter", q) for q in range(1, 5))
        return (period, *quarters, *months)
    return (period, *months) if period.kind == "quarter" else (period,)


def day_start(text: str) -> datetime:
    """Tehran midnight of a Jalali date typed as "1405/09/01" (or with Persian digits), in UTC."""
    match = re.match(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$", latin_digits(text.strip()))
    if not match:
        raise PeriodError(f"not a Jalali date: {text!r}")
    try:
        return _midnight(jdatetime.date(*(int(g) for g in match.groups())))
    except ValueError as exc:
        raise PeriodError(f"not a Jalali date: {text!r}") from exc


def is_date(text: str) -> bool:
    """True when `text` is a Jalali date `day_start` reads."""
    try:
        day_start(text)
    except PeriodError:
        return False
    return True


def _midnight(day: jdatetime.date) -> datetime:
    return datetime.combine(day.togregorian(), time(0), TEHRAN).astimezone(timezone.utc)
