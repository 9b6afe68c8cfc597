"""Voice calls: one row per Asterisk call, whether or not it became a ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.tickets import Ticket


class Call(Base):
    """A call to 128 or the overseas line, with how far the caller got and its recording."""

    __tablename__ = "calls"
    __table_args__ = (
        # The console's calls list (newest first) and its search by the caller's number.
        Index("ix_calls_started_at", "started_at"),
        Index("ix_calls_caller_started_at", "caller", "started_at"),
        # The workers' sweep of calls whose end Asterisk never reported (worker/calls.py).
        Index("ix_calls_open", "started_at", postgresql_where=text("ended_at IS NULL"),
              sqlite_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), unique=True)
    """Asterisk's ${UNIQUEID}; the whole-call recording is named after it."""
    linkedid: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    line: Mapped[str] = mapped_column(String(20))
    """Which line was dialled: "128" or "overseas"."""
    caller: Mapped[str | None] = mapped_column(String(20))
    """E.164, or None when withheld."""
    dnid: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2), default="fa")
    progress: Mapped[str] = mapped_column(String(40), default="answered")
    """The last step the caller reached ("menu", "sector", "recording", "submitted" ...)."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[int | None]
    recording_path: Mapped[str | None] = mapped_column(String(400))
    """The whole-call MixMonitor file, relative to the recordings directory."""
    voice_path: Mapped[str | None] = mapped_column(String(400))
    """The caller's recorded description, relative to the recordings directory: kept here
    as soon as it is recorded, so it is never lost even if no ticket could be opened."""
    hangup_cause: Mapped[str | None] = mapped_column(String(40))
    # The caller's choices, written with the take: what the ticket is opened with, by the
    # engine at submit or by the hangup handler if the engine died first.
    sector_code: Mapped[str | None] = mapped_column(String(40))
    category_code: Mapped[str | None] = mapped_column(String(40))
    province_code: Mapped[str | None] = mapped_column(String(40))

    ticket: Mapped[Ticket | None] = relationship()
