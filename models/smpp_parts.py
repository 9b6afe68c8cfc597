"""Parts of a long text coming in over SMPP: each kept as it arrives (in any order), the text
taken in once the last one is there, or once the wait for a missing one is over.

A part stays after its text is taken in, so that the SMSC delivering it again (our answer
to it was lost) finds it known, and is forgotten a day later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

MISSING = "…"
"""Stands where a part that never came would have been."""


class SmppPart(Base):
    """One part of a concatenated inbound text."""

    __tablename__ = "smpp_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(64), index=True)
    """The text the part belongs to: its sender, our number, its reference and part count."""
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    """The part's own PDU: the same part delivered again is a copy."""
    seq: Mapped[int]
    total: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    service_number: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    taken_at: Mapped[datetime | None]
    """When its text was taken in; None while the text waits for its other parts."""


def keep(session: Session, part: SmppPart) -> bool:
    """Add `part` (flushed, not committed); False, and nothing added, when it was kept before."""
    try:
        with session.begin_nested():
            session.add(part)
    except IntegrityError:
        return False
    return True


def waiting(session: Session, series: str) -> list[SmppPart]:
    """The parts of `series` not yet taken in, in order."""
    return list(session.scalars(select(SmppPart).where(
        SmppPart.series == series, SmppPart.taken_at.is_(None)).order_by(SmppPart.seq, SmppPart.id)))


def complete(parts: list[SmppPart]) -> bool:
    """True when every part of the text is there."""
    return bool(parts) and {p.seq for p in parts} >= set(range(1, parts[0].total + 1))


def assemble(parts: list[SmppPart]) -> str:
    """The text of `parts` in order, MISSING where a part is not there."""
    by_seq = {p.seq: p.text for p in parts}
    total = max([parts[0].total, *by_seq]) if parts else 0
    return "".join(by_seq.get(n, MISSING) for n in range(1, total + 1))


def taken(session: Session, parts: list[SmppPart]) -> None:
    """Mark `parts` taken in (in the caller's transaction)."""
    session.execute(update(SmppPart).where(SmppPart.id.in_([p.id for p in parts])).values(taken_at=utcnow()))


def overdue(session: Session, before: datetime) -> list[str]:
    """Series whose first part came before `before` and still wait for another."""
    return list(session.scalars(select(SmppPart.series).where(SmppPart.taken_at.is_(None))
                                .group_by(SmppPart.series).having(func.min(SmppPart.received_at) < before)))


def forget(session: Session, before: datetime) -> int:
    """Drop parts taken in before `before` (a copy of them can no longer come); how many."""
    return session.execute(delete(SmppPart).where(SmppPart.taken_at < before)).rowcount
