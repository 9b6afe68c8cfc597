"""Each agency's month samples, from the tickets: summed by PostgreSQL where it can, else here."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from sqlalchemy.orm import Session

from models.reports.figures import Month, Table, month_samples_rows, tabulate
from models.reports.figures_pg import month_samples_pg
from models.reports.periods import Period


def compute(session: Session, period: Period, deadline: timedelta) -> Table:
    """Figures of every agency for `period` and the quarters and months inside it, from tickets."""
    return tabulate(period, month_samples(session, period.year, period.months, deadline))


def month_samples(session: Session, year: int, months: Iterable[int], deadline: timedelta) -> list[Month]:
    """Every agency's samples for each of `months` (consecutive) of the Jalali `year`."""
    chosen = [Period(year, "month", m) for m in sorted(months)]
    if session.get_bind().dialect.name == "postgresql":
        return month_samples_pg(session, chosen, deadline)
    return month_samples_rows(session, chosen, deadline)
