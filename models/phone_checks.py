"""One-time codes that confirm a mobile number before the web page acts for its owner.

A code is texted through the outbox like any SMS, kept only as an HMAC, lives a few
minutes, and dies after three wrong tries. How many codes one number, and one address, may
ask for in an hour is counted from these rows, so the limits hold across web processes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models import notices
from models.base import Base, utcnow
from models.blocklist import is_blocked
from models.errors import Blocked, DomainError
from models.messages import MessageStatus, Purpose
from models.outgoing import queue_text
from models.persian import latin_digits
from models.phones import identify
from models.tickets import CallerKind, Ticket

CODE_DIGITS = 6
LIFETIME = timedelta(minutes=10)
"""How long a texted code can be typed in."""
MAX_TRIES = 3
"""Wrong codes that end a check: the person starts again, and a new code counts to the limits."""
WINDOW = timedelta(hours=1)
MAX_PER_NUMBER = 5
"""Codes one number may be sent within WINDOW: enough to get one through, too few to pester."""
MAX_PER_ADDRESS = 20
"""Codes asked for from one address within WINDOW: more, as offices and mobile carriers put
many people behind one address."""
TEXTABLE = frozenset({CallerKind.IR_MOBILE, CallerKind.FOREIGN})


class CheckPurpose(StrEnum):
    """What a confirmed number lets the page do."""

    COMPLAINT = "complaint"  # register the complaint typed on the page
    FOLLOW = "follow"  # show the complainant their ticket's result and survey


class NotAMobile(DomainError):
    """The number cannot receive a text (a landline, or no number at all)."""


class TooManyCodes(DomainError):
    """The number or the address asked for too many codes within the hour."""


class NumberOptedOut(DomainError):
    """The number asked us to stop texting it: no code can reach it."""


class CheckEnded(DomainError):
    """The check expired, or three wrong codes ended it: start again."""


class WrongCode(DomainError):
    """The code typed is not the one texted; `tries_left` more are allowed."""

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong code, {tries_left} tries left")
        self.tries_left = tries_left


class PhoneCheck(Base):
    """A code texted to a number, waiting to be typed back on the page."""

    __tablename__ = "phone_checks"
    __table_args__ = (
        # The hourly limits: codes per number, and per address, since an hour ago.
        Index("ix_phone_checks_number_created_at", "number", "created_at"),
        Index("ix_phone_checks_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    """The random handle the page carries between its steps (never the code)."""
    purpose: Mapped[CheckPurpose] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(20))
    """E.164."""
    address: Mapped[str | None] = mapped_column(String(45))
    """The client's IP address as the app sees it."""
    digest: Mapped[str] = mapped_column(String(64))
    """HMAC-SHA256 of the code under the app's secret key and this row's token."""
    tries: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(2), default="fa")
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What the confirmed number unlocks: the complaint as typed, or the ticket's code."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    """The ticket the confirmed complaint became."""

    ticket: Mapped[Ticket | None] = relationship()


@dataclass(frozen=True)
class Request:
    """Someone on the page asking for a code."""

    purpose: CheckPurpose
    number: str
    """As typed; normalised like any caller's."""
    address: str | None
    language: str
    draft: dict[str, Any]


def start(session: Session, asked: Request, secret: str, *, send: bool = True,
          now: datetime | None = None) -> PhoneCheck:
    """Check the limits, text a fresh code (unless `send` is False) and commit the check."""
    now = now or utcnow()
    number = _textable(session, asked.number, now)
    _within_limits(session, number, asked.address, now)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    check = PhoneCheck(token=secrets.token_urlsafe(32), purpose=asked.purpose, number=number,
                       address=asked.address, language=asked.language, draft=asked.draft,
                       created_at=now, expires_at=now + LIFETIME)
    check.digest = _digest(secret, check.token, code)
    session.add(check)
    if send:
        body = notices.render("phone_check", asked.language, otp=code)
        if queue_text(session, number=number, body=body, purpose=Purpose.PHONE_CHECK).status \
                == MessageStatus.OPTED_OUT:
            session.rollback()
            raise NumberOptedOut("this number asked not to be texted")
    session.commit()
    return check


def confirm(session: Session, token: str, code: str, secret: str, *,
            now: datetime | None = None) -> PhoneCheck:
    """The check, confirmed (not committed: the caller commits what it unlocks with it).
    A check confirmed before is returned as it is; WrongCode (committed) or CheckEnded."""
    now = now or utcnow()
    check = find(session, token, lock=True)
    if check.confirmed_at is not None:
        return check
    if check.ended_at is not None or now >= check.expires_at:
        raise CheckEnded("this code has expired or was ended")
    if hmac.compare_digest(check.digest, _digest(secret, token, _digits(code))):
        check.confirmed_at = now
        return check
    check.tries += 1
    if check.tries >= MAX_TRIES:
        check.ended_at = now
    session.commit()
    if check.ended_at is not None:
        raise CheckEnded("three wrong codes")
    raise WrongCode(MAX_TRIES - check.tries)


def find(session: Session, token: str, *, lock: bool = False) -> PhoneCheck:
    """The check with this token; CheckEnded when there is none (or it was swept away)."""
    query = select(PhoneCheck).where(PhoneCheck.token == token)
    check = session.scalar(query.with_for_update() if lock else query)
    if check is None:
        raise CheckEnded("no such check")
    return check


def _textable(session: Session, raw: str, now: datetime) -> str:
    caller = identify(raw)
    if caller.e164 is None or caller.kind not in TEXTABLE:
        raise NotAMobile("a code can only be texted to a mobile number")
    if is_blocked(session, caller.e164, now):
        raise Blocked("this number is blocked")
    return caller.e164


def _within_limits(session: Session, number: str, address: str | None, now: datetime) -> None:
    since = now - WINDOW
    per_number = select(func.count()).where(PhoneCheck.number == number, PhoneCheck.created_at > since)
    per_address = select(func.count()).where(PhoneCheck.address == address, PhoneCheck.created_at > since)
    counts = session.execute(select(per_number.scalar_subquery(), per_address.scalar_subquery())).one()
    if counts[0] >= MAX_PER_NUMBER or (address is not None and counts[1] >= MAX_PER_ADDRESS):
        raise TooManyCodes("too many codes asked for in the last hour")


def _digest(secret: str, token: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


def _digits(typed: str) -> str:
    """The code as typed in any digits, spaces and dashes dropped."""
    return "".join(ch for ch in latin_digits(typed) if ch.isdigit())


KEPT_FOR = timedelta(days=1)
"""How long a check is kept (its draft holds a person's words and number): longer than the
hourly limits look back and than any code lives."""


def sweep(session: Session, now: datetime) -> int:
    """Delete checks older than KEPT_FOR, and commit; how many went."""
    gone = session.execute(delete(PhoneCheck).where(PhoneCheck.created_at < now - KEPT_FOR)).rowcount
    session.commit()
    return gone
