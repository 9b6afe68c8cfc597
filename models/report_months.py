"""The report cards' monthly rollup: per agency and Jalali month, the sums and sorted durations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ReportMonth(Base):
    """One agency's Jalali month, rolled up from its tickets (see models.reports.figures for meanings)."""

    __tablename__ = "report_months"

    # The primary key (year, month first) is also the index the card pages read by.
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    complaints: Mapped[int]
    answered_in_time: Mapped[int]
    resolved: Mapped[int]
    escalations: Mapped[int]
    surveys: Mapped[int]
    score_sum: Mapped[int]
    satisfied: Mapped[int]
    reopened: Mapped[int] = mapped_column(server_default="0")
    first_answers: Mapped[list[float]] = mapped_column(JSON)
    """Seconds from registration to the first answer of each answered complaint, sorted."""
    results: Mapped[list[float]] = mapped_column(JSON)
    """Seconds from registration to the result of each resolved complaint, sorted."""


class ReportCategory(Base):
    """How many of one agency's complaints of a Jalali month were filed under each category
    (the service-quality criteria), rolled up with the month."""

    __tablename__ = "report_categories"

    # (year, month) first: cards read one period's months at a time.
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code", ondelete="CASCADE"), primary_key=True)
    complaints: Mapped[int]


class ReportRefresh(Base):
    """When a Jalali month was last rolled up, and with which deadline."""

    __tablename__ = "report_refreshes"

    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]
    deadline_s: Mapped[int]
    """The answer deadline (seconds) "in time" was counted against; another one means stale."""
