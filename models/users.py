"""Console users (supervisors, inspectors, admins) and the audit log of what they replayed."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.agencies import Agency
from models.base import Base, utcnow
from models.errors import DomainError


class UserRole(StrEnum):
    """What a console user may do; see console.access for the rules."""

    SUPERVISOR = "supervisor"  # every ticket, every action, the audit log, users and directory
    INSPECTOR = "inspector"  # tickets of their own agency and the agencies below it
    ADMIN = "admin"  # users and the directory only; no tickets


class User(Base):
    """A person who logs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    """The log-in name; also how actions are recorded ("user:<name>")."""
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    """An inspector's agency: they see its tickets and those of the agencies below it."""
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password` (werkzeug's scrypt), never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when `password` is this user's."""
        return check_password_hash(self.password_hash, password)

    @property
    def actor(self) -> str:
        """How this user is named in ticket timelines."""
        return f"user:{self.name}"


class Playback(Base):
    """One replay of a recording or view of an attachment: who, what, when (for supervisors)."""

    __tablename__ = "playbacks"
    __table_args__ = (
        # The audit page lists newest first; the dedupe check looks up a user's last replay.
        Index("ix_playbacks_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    """The ticket the file belongs to; None for a call that never became a ticket."""
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    """The call whose recording was played. SET NULL: purging old calls keeps who listened."""
    kind: Mapped[str] = mapped_column(String(20))
    """"call" (the whole-call recording), "voice" (the voice complaint) or "media"."""
    target: Mapped[str] = mapped_column(String(400))
    """Which file: the stored relative path."""
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


MIN_PASSWORD = 10
"""Characters a console password needs at least."""


def add_user(session: Session, name: str, role: str, password: str, *, agency_code: str | None = None,
             full_name: str = "") -> User:
    """Create a console user and commit; DomainError says what is wrong with the request."""
    name = name.strip()
    if not name or len(name) > 80 or any(c.isspace() for c in name):
        raise DomainError("a user name is one word of at most 80 characters")
    _check_role(role)
    check_new_password(password)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise DomainError(f"there is already a user {name!r}")
    agency = _agency_for(session, role, agency_code)
    user = User(name=name, full_name=full_name.strip(), role=UserRole(role), agency=agency)
    user.set_password(password)
    session.add(user)
    session.commit()
    return user


def find_user(session: Session, name: str) -> User:
    """The user called `name`; DomainError when there is none."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise DomainError(f"there is no user {name.strip()!r}")
    return user


def verify_login(session: Session, name: str, password: str) -> User | None:
    """The active user called `name` whose password this is, or None.

    An unknown or deactivated name costs the same hash check as a known one (against a
    hash of nothing), so how long a refusal takes does not tell which names exist.
    """
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None or not user.active:
        check_password_hash(_stand_in_hash(), password)
        return None
    return user if user.check_password(password) else None


@cache
def _stand_in_hash() -> str:
    """A hash made like every user's (same method and cost) of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(16))


def set_role(session: Session, user: User, role: str, *, agency_code: str | None = None) -> None:
    """Give `user` another role (an inspector with their agency) and commit."""
    _check_role(role)
    user.agency = _agency_for(session, role, agency_code)
    user.role = UserRole(role)
    session.commit()


def _check_role(role: str) -> None:
    if role not in {r.value for r in UserRole}:
        raise DomainError(f"role must be one of {', '.join(UserRole)}")


def check_new_password(password: str) -> None:
    """DomainError unless `password` is long enough to be a console password."""
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"a password needs at least {MIN_PASSWORD} characters")


def _agency_for(session: Session, role: str, code: str | None) -> Agency | None:
    """An inspector must belong to an agency of the directory; others need none."""
    if role != UserRole.INSPECTOR:
        return None
    agency = session.scalar(select(Agency).where(Agency.code == (code or "")))
    if agency is None:
        raise DomainError("an inspector needs the code of their agency from the directory")
    return agency
