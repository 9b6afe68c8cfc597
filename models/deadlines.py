"""The answer deadline: working-time arithmetic, holidays, and each ticket's running clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.holidays import Holiday
from models.persian import TEHRAN
from models.settings import Settings

REMIND_AFTER = 2 / 3
"""The share of the time gone when the official gets a reminder."""
WORKING_DAYS = frozenset({5, 6, 0, 1, 2})
"""Saturday to Wednesday (Python's weekday numbers): Thursday and Friday are off."""
MAX_DAYS = 400
"""Days `add` looks ahead before deciding the calendar has no working hours at all."""


class TicketClock(Base):
    """When the clock must next look at a ticket: at its reminder, then at its deadline.

    The ticket's own `due_at` is the deadline; this row says what is left to do about it.
    """

    __tablename__ = "ticket_clocks"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(default=0)
    """The escalation level the times below belong to."""
    remind_at: Mapped[datetime | None]
    """When the official gets a reminder; None once it went out."""
    next_at: Mapped[datetime | None] = mapped_column(index=True)
    """The next moment the clock must act; None once it has stopped. The sweep's query."""
    stuck_at: Mapped[datetime | None]
    """When escalation first found nobody above to take the ticket (the breach is on the
    timeline already); None while it is not stuck. Tried again every little while."""


@dataclass(frozen=True)
class WorkingHours:
    """Tehran office hours, Saturday to Wednesday, except holidays."""

    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """True for Saturday to Wednesday, unless a holiday."""
        return day.weekday() in WORKING_DAYS and day not in self.holidays

    def add(self, moment: datetime, span: timedelta) -> datetime:
        """The moment `span` of working time after `moment` (in UTC)."""
        begin, left = moment.astimezone(TEHRAN), span
        day = begin.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                opens = datetime.combine(day, self.start, TEHRAN)
                closes = datetime.combine(day, self.end, TEHRAN)
                begin = max(begin, opens)
                if begin < closes:
                    if left <= closes - begin:
                        return (begin + left).astimezone(timezone.utc)
                    left -= closes - begin
            day += timedelta(days=1)
        raise ValueError(f"no working hours in {MAX_DAYS} days: check the holidays")


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long an official has, counted on the wall clock or in working hours."""

    length: timedelta
    hours: WorkingHours | None = None

    def due(self, start: datetime) -> datetime:
        """The deadline of a clock started at `start`."""
        return self._after(start, self.length)

    def reminder(self, start: datetime) -> datetime:
        """When 2/3 of the time of a clock started at `start` is gone."""
        return self._after(start, self.length * REMIND_AFTER)

    def _after(self, start: datetime, span: timedelta) -> datetime:
        return self.hours.add(start, span) if self.hours else start + span


def policy(session: Session, settings: "Settings") -> DeadlinePolicy:
    """The deadline policy the operator configured, with the holidays in the database."""
    if settings.business_hours is None:
        return DeadlinePolicy(settings.response_deadline)
    start, end = settings.business_hours
    holidays = frozenset(session.scalars(select(Holiday.day)))
    return DeadlinePolicy(settings.response_deadline, WorkingHours(start, end, holidays))
