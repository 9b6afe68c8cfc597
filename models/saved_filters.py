"""A console user's saved views of the ticket list: a name and the list's query string."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.errors import DomainError
from models.users import User

MAX_NAME = 60
MAX_QUERY = 1000


class BadFilter(DomainError):
    """A saved filter needs a short name and a list query that is not too long."""


class SavedFilter(Base):
    """One user's named filter of the ticket list."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    query: Mapped[str] = mapped_column(String(MAX_QUERY))
    """The list's query string (`status=open&agency=MUN-TEH`), without its page."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def mine(session: Session, user: User) -> list[SavedFilter]:
    """`user`'s saved filters, by name."""
    return list(session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)
                                .order_by(SavedFilter.name)))


def save(session: Session, user: User, name: str, query: str) -> SavedFilter:
    """Save `query` under `name` for `user` (the same name is replaced); commit."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or len(query) > MAX_QUERY:
        raise BadFilter(f"a saved filter needs a name of 1 to {MAX_NAME} characters")
    kept = session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name))
    if kept is None:
        kept = SavedFilter(user_id=user.id, name=name, query=query)
        session.add(kept)
    kept.query = query
    session.commit()
    return kept


def forget(session: Session, user: User, filter_id: int) -> bool:
    """Delete one of `user`'s saved filters; commit. False when they have no such filter."""
    gone = session.execute(delete(SavedFilter).where(SavedFilter.id == filter_id,
                                                     SavedFilter.user_id == user.id)).rowcount
    session.commit()
    return bool(gone)
