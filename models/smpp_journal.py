"""The SMPP link's journal of what it handed to the SMSC: one row a submit_sm part, written
before the part goes on the wire, then answered with the SMSC's message_id (or a refusal),
and moved by that part's delivery receipt.

It is how a send nobody heard the end of is settled without texting twice: an answered
part names the SMSC's id (confirmed with query_sm); a part written to a link that dropped
before the answer waits for a delivery receipt that names it, and only after
`receipt_wait` with none counts as never taken.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Index, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.messages import MessageStatus

CLOCK_SKEW = timedelta(minutes=1)
"""How much earlier than the message row a part may have been written (two clocks)."""
HEAD_CHARS = 20
"""Characters of a text a receipt quotes back ("text:" in SMPP 3.4's receipt format)."""


class PartState(StrEnum):
    """Where one submitted part stands."""

    WRITTEN = "written"  # going (or gone) to the SMSC, no answer yet
    TAKEN = "taken"  # the SMSC answered with its message_id
    REFUSED = "refused"  # the SMSC answered with an error: it did not take it
    NEVER = "never"  # written to a link that dropped, and no receipt named it in time


class SmppSubmit(Base):
    """One submit_sm part of one attempt to send one outbound text."""

    __tablename__ = "smpp_submits"
    __table_args__ = (
        # find_sent's look-up and the adoption of a receipt nobody's id matches: by number, in time.
        Index("ix_smpp_submits_number_written_at", "number", "written_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    """The send's idempotency key: our message row's id."""
    attempt: Mapped[str] = mapped_column(String(32))
    """One send of the whole text: its parts share it."""
    part: Mapped[int]
    parts: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    body_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the whole text: find_sent matches a number and a body, as Twilio's look-up does."""
    head: Mapped[str] = mapped_column(String(HEAD_CHARS))
    """The text's first characters, which a receipt quotes."""
    smsc_id: Mapped[str | None] = mapped_column(String(65), unique=True)
    state: Mapped[PartState] = mapped_column(String(10), default=PartState.WRITTEN)
    error_code: Mapped[str | None] = mapped_column(String(20))
    receipt: Mapped[MessageStatus | None] = mapped_column(String(20))
    """The part's last delivery receipt, as a message status."""
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Attempt:
    """The parts of one send of a text, as the journal has them."""

    ref: str
    parts: list[SmppSubmit]

    @property
    def smsc_id(self) -> str | None:
        """The first part's id at the SMSC: the message row keeps it."""
        return self.parts[0].smsc_id

    @property
    def state(self) -> PartState:
        """REFUSED or NEVER if any part is; else WRITTEN while any part waits; else TAKEN."""
        states = {p.state for p in self.parts}
        for state in (PartState.REFUSED, PartState.NEVER, PartState.WRITTEN):
            if state in states:
                return state
        return PartState.TAKEN

    @property
    def written_at(self) -> datetime:
        """When its first part was written."""
        return self.parts[0].written_at


def digest(body: str) -> str:
    """The journal's key for a text's words."""
    return hashlib.sha256(body.encode()).hexdigest()


def write(session: Session, *, ref: str, number: str, body: str, parts: int) -> list[int]:
    """Note the parts of a send about to be written, and commit: their row ids in order."""
    attempt, key = secrets.token_hex(16), digest(body)
    rows = [SmppSubmit(ref=ref, attempt=attempt, part=n, parts=parts, number=number, body_digest=key,
                       head=body[:HEAD_CHARS]) for n in range(1, parts + 1)]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def answered(session: Session, row_id: int, smsc_id: str | None, error_code: str | None = None) -> None:
    """The SMSC's answer to a part: its message_id, or `error_code` when it refused it."""
    state = PartState.TAKEN if smsc_id else PartState.REFUSED
    session.execute(update(SmppSubmit).where(SmppSubmit.id == row_id).values(
        smsc_id=smsc_id or None, state=state, error_code=error_code, answered_at=utcnow()))
    session.commit()


def attempts(session: Session, number: str, body: str, since: datetime) -> list[Attempt]:
    """The sends of `body` to `number` written since `since`, oldest first."""
    rows = session.scalars(select(SmppSubmit).where(
        SmppSubmit.number == number, SmppSubmit.body_digest == digest(body),
        SmppSubmit.written_at >= since - CLOCK_SKEW).order_by(SmppSubmit.id)).all()
    grouped: dict[str, list[SmppSubmit]] = {}
    for row in rows:
        grouped.setdefault(row.attempt, []).append(row)
    return [Attempt(parts[0].ref, parts) for parts in grouped.values()]


def never_taken(session: Session, row_ids: list[int]) -> None:
    """Mark the parts with these row ids still waiting as never taken (not written, or no
    receipt came in time)."""
    session.execute(update(SmppSubmit).where(
        SmppSubmit.id.in_(row_ids), SmppSubmit.state == PartState.WRITTEN)
        .values(state=PartState.NEVER))
    session.commit()


def by_smsc_id(session: Session, smsc_id: str) -> SmppSubmit | None:
    """The part the SMSC knows as `smsc_id`."""
    return session.scalar(select(SmppSubmit).where(SmppSubmit.smsc_id == smsc_id))


def adopt(session: Session, smsc_id: str, number: str, quoted: str | None, since: datetime) -> SmppSubmit | None:
    """Give `smsc_id`, named by a receipt no part's id matches, to the oldest part to `number`
    still waiting for an answer since `since` whose text the receipt quotes (when it quotes)."""
    waiting = session.scalars(select(SmppSubmit).where(
        SmppSubmit.number == number, SmppSubmit.state == PartState.WRITTEN,
        SmppSubmit.written_at >= since).order_by(SmppSubmit.id)).all()
    found = next((row for row in waiting if not quoted or _quotes(row.head, quoted)), None)
    if found is not None:
        found.smsc_id, found.state, found.answered_at = smsc_id, PartState.TAKEN, utcnow()
    return found


def _quotes(head: str, quoted: str) -> bool:
    """True when a receipt's quote is the start of the text (SMSCs cut or pad it)."""
    quoted = quoted.strip()
    return head.startswith(quoted[:HEAD_CHARS]) if quoted else True


def note_receipt(session: Session, part: SmppSubmit, status: MessageStatus) -> tuple[str, MessageStatus]:
    """Keep a part's receipt; the first part's id and the status the whole text has now:
    failed (or undelivered) if any part is, delivered when every part is, else sent."""
    part.receipt = status
    session.flush()
    siblings = session.scalars(select(SmppSubmit).where(SmppSubmit.attempt == part.attempt)
                               .order_by(SmppSubmit.part)).all()
    receipts = [p.receipt for p in siblings]
    first_id = siblings[0].smsc_id or part.smsc_id or ""
    for bad in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        if bad in receipts:
            return first_id, bad
    whole = MessageStatus.DELIVERED if all(r == MessageStatus.DELIVERED for r in receipts) else MessageStatus.SENT
    return first_id, whole
