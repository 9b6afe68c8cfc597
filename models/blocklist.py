"""The blocklist of nuisance numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, Select, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class BlockedNumber(Base):
    """A number whose calls and texts are refused, until `until` if set."""

    __tablename__ = "blocked_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    """E.164."""
    reason: Mapped[str | None] = mapped_column(Text)
    blocked_by: Mapped[str] = mapped_column(String(80), default="system")
    blocked_at: Mapped[datetime] = mapped_column(default=utcnow)
    until: Mapped[datetime | None]


def blocking(number: str | BindParameter[str], now: datetime | BindParameter[datetime]) -> Select[tuple[str]]:
    """The query for a block on `number` (E.164) in force at `now` (either may be a parameter)."""
    return select(BlockedNumber.number).where(
        BlockedNumber.number == number,
        BlockedNumber.until.is_(None) | (BlockedNumber.until > now),
    )


def is_blocked(session: Session, number: str | None, now: datetime | None = None) -> bool:
    """True when `number` (E.164) is blocked now."""
    if not number:
        return False
    return session.scalar(blocking(number, now or utcnow())) is not None


def block(session: Session, number: str, *, reason: str | None = None, by: str = "system",
          until: datetime | None = None) -> BlockedNumber:
    """Put `number` on the blocklist (again, with the new reason, if it already is)."""
    entry = session.get(BlockedNumber, number) or BlockedNumber(number=number)
    entry.reason, entry.blocked_by, entry.until, entry.blocked_at = reason, by, until, utcnow()
    session.add(entry)
    return entry
