"""API keys of the apps that file complaints over Open311: shown once, kept only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.errors import DomainError
from models.lean import Lean

PREFIX = "foad_"
"""Every key starts so, which lets a leaked one be recognised (and searched for) as ours."""


class KeyNameTaken(DomainError):
    """An app already has a key under that name."""


class NoSuchKey(DomainError):
    """No live key has that name."""


class ApiKey(Base):
    """One app's key: its name, the hash of the secret, and whether it still works."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the key, hex. The key is 256 random bits: a fast hash cannot be reversed,
    and every request can be checked by one indexed look-up."""
    hint: Mapped[str] = mapped_column(String(16))
    """The key's first characters, so an operator can tell keys apart in `foad apikeys list`."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


def digest_of(key: str) -> str:
    """The stored form of `key`."""
    return hashlib.sha256(key.encode()).hexdigest()


def add_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Make a key for the app `name` and commit; the key itself is returned this once only."""
    name = name.strip()
    if not name or session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise KeyNameTaken(f"a key named {name!r} exists already" if name else "a key needs a name")
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, digest=digest_of(key), hint=key[: len(PREFIX) + 6])
    session.add(row)
    session.commit()
    return row, key


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first, revoked ones too."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke(session: Session, name: str) -> ApiKey:
    """Stop the key of `name` from working (kept, so its complaints still name their app)."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
    if row is None:
        raise NoSuchKey(f"no live key named {name!r}")
    row.revoked_at = utcnow()
    session.commit()
    return row


def live_key_id(session: Session, key: str) -> int | None:
    """The id of the live key `key`, or None for a missing, unknown or revoked one."""
    if not key.startswith(PREFIX):
        return None
    row = _LIVE_KEY.first(session.connection(), {"digest": digest_of(key)})
    return row[0] if row is not None else None


_LIVE_KEY = Lean(select(ApiKey.id).where(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None)))
"""`live_key_id`'s statement, built once and run lean (models.lean): every Open311 request reads it."""
