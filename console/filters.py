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


def page_number(args: Mapping[str, str]) -> int:
    """The `?page=` of a list (1 unless a whole number from 1 up)."""
    page = args.get("page", "1")
    return int(page) if page.isdigit() and int(page) > 0 else 1
