"""Console log-ins kept on the server, so that ending one ends it wherever its cookie is.

The session cookie carries only a random token; a log-in lives while its row here does (and
no longer than the longest session). Logging out deletes the row, so a copy of the cookie
kept elsewhere is worth nothing after; a password change deletes the user's other rows,
deactivation and "log out everywhere" all of them. Only a hash of the token is stored: the
table read by someone else gives them no way into the console.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base
from models.users import User

ADDRESS_CHARS, AGENT_CHARS = 64, 200
"""What a row keeps of the client's address and browser (shown to the user on their page)."""


class Login(Base):
    """One console log-in: whose, since when, from where."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the token in the session cookie (hex): every request looks it up."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    """Index: ending every log-in of a user, and listing them on their page."""
    created_at: Mapped[datetime]
    remote_addr: Mapped[str | None] = mapped_column(String(ADDRESS_CHARS))
    user_agent: Mapped[str | None] = mapped_column(String(AGENT_CHARS))

    user: Mapped[User] = relationship(lazy="joined")


def begin(session: Session, user_id: int, *, now: datetime, address: str | None, agent: str | None,
          expired_before: datetime) -> str:
    """Record a new log-in of `user_id` (in the caller's transaction) and return its token;
    the user's log-ins begun before `expired_before` are swept away meanwhile."""
    session.execute(delete(Login).where(Login.user_id == user_id, Login.created_at < expired_before))
    token = secrets.token_urlsafe(32)
    session.add(Login(token_hash=_hash(token), user_id=user_id, created_at=now,
                      remote_addr=_printable(address, ADDRESS_CHARS), user_agent=_printable(agent, AGENT_CHARS)))
    return token


def find(session: Session, token: str, *, begun_after: datetime) -> Login | None:
    """The live log-in holding `token`: its user active and it begun after `begun_after`."""
    found = session.scalar(select(Login).where(Login.token_hash == _hash(token)))
    if found is None or not found.user.active or found.created_at <= begun_after:
        return None
    return found


def end(session: Session, token: str) -> None:
    """End the log-in holding `token` (in the caller's transaction)."""
    session.execute(delete(Login).where(Login.token_hash == _hash(token)))


def end_all(session: Session, user_id: int, *, but: str | None = None) -> int:
    """End every log-in of `user_id`, except the one holding `but` (in the caller's
    transaction); how many were ended."""
    query = delete(Login).where(Login.user_id == user_id)
    if but is not None:
        query = query.where(Login.token_hash != _hash(but))
    return session.execute(query).rowcount


def of_user(session: Session, user_id: int) -> list[Login]:
    """The log-ins of `user_id` still recorded, newest first."""
    return list(session.scalars(select(Login).where(Login.user_id == user_id)
                                .order_by(Login.created_at.desc(), Login.id.desc())))


def is_token_of(login: Login, token: str) -> bool:
    """True when `login` is the one holding `token`."""
    return secrets.compare_digest(login.token_hash, _hash(token))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _printable(text: str | None, limit: int) -> str | None:
    """`text` without control characters (a NUL is refused by PostgreSQL), cut to `limit`."""
    if not text:
        return None
    return "".join(c for c in text if c.isprintable())[:limit] or None
