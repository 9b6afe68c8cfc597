"""The list pages' filters: Jalali days typed into a filter, and the page asked for."""

from __future__ import annotations

from datetime import timedelta
from typing import Mapping

from models.reports.periods import day_start, is_date


def date_problems(*texts: str) -> tuple[str, ...]:
    """What is wrong with the Jalali dates typed into a filter, in Persian; empty ones are fine."""
    return tuple(f"تاریخ «{text}» درست نیست (نمونه: ۱۴۰۵/۰۹/۰۱)" for text in texts if text and not is_date(text))


def day_range(column, since: str, until: str) -> list:
    """Conditions keeping `column` within the Jalali days typed, Tehran time (either may be
    empty; a date that is no date is left out, `date_problems` names it)."""
    conditions = []
    if since and is_date(since):
        conditions.append(column >= day_start(since))
    if until and is_date(until):
        conditions.append(column < day_start(until) + timedelta(days=1))
    return conditions


MAX_PAGE = 100_000
"""The last page a list turns to: further is empty anyway, and its offset must stay a number
the database takes."""


def page_number(args: Mapping[str, str]) -> int:
    """The `?page=` of a list (1 unless a whole number from 1 up; MAX_PAGE at most)."""
    page = args.get("page", "1")
    digits = page.lstrip("0")
    if not (page.isascii() and page.isdigit() and digits):
        return 1
    # Compared by length first: int() of thousands of digits is refused by Python itself.
    return MAX_PAGE if len(digits) > len(str(MAX_PAGE)) else min(int(digits), MAX_PAGE)
