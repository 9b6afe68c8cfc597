"""Internal notes on a ticket: for the console's users only, never texted to the citizen.

A note is a timeline entry (Event.NOTE, the author as its actor, the words as its note), so
it is kept as the timeline is: never changed, never deleted. `@name` mentions a console
user who may see the ticket; they find it in their "for me" list until they open the ticket.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models import search, visibility
from models.base import Base, utcnow
from models.errors import DomainError
from models.events import Event
from models.tickets import Ticket, TicketEvent, record
from models.users import User

MENTION = re.compile(r"(?<![\w@])@([^\s@،,.:;!?؟()«»\"'<>]+)")
"""`@name` in a note: a console user's log-in name (one word), up to a space or punctuation."""
MAX_NOTE = 4000
"""Characters a note may hold."""


class EmptyNote(DomainError):
    """A note with nothing in it, or too long to read."""


class UnknownMention(DomainError):
    """A note mentions names that are no active console user who may see the ticket."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"no active user who may see the ticket is called {', '.join(names)}")
        self.names = names


class Mention(Base):
    """A note that names a console user: it stays in their "for me" list until read."""

    __tablename__ = "note_mentions"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        # The "for me" list and its unread count: one user's mentions, newest first.
        Index("ix_note_mentions_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("ticket_events.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime | None]
    """When the user opened the ticket after the note; None while unread."""

    event: Mapped[TicketEvent] = relationship(lazy="joined")
    ticket: Mapped[Ticket] = relationship(lazy="joined")


def mentioned(body: str) -> list[str]:
    """The names `@`-mentioned in `body`, in order, each once."""
    return list(dict.fromkeys(MENTION.findall(body)))


def add(session: Session, ticket: Ticket, author: User, body: str) -> TicketEvent:
    """Write a note on the ticket's timeline and notify whom it mentions; commit."""
    body = body.strip()
    if not body or len(body) > MAX_NOTE:
        raise EmptyNote(f"a note needs 1 to {MAX_NOTE} characters")
    people = _mentionable(session, ticket, mentioned(body))
    entry = record(ticket, Event.NOTE, actor=author.actor, note=body, mentions=[u.name for u in people])
    session.flush()
    session.add_all(Mention(event_id=entry.id, ticket_id=ticket.id, user_id=u.id)
                    for u in people if u.id != author.id)
    search.add(session, ticket.id, body)
    session.commit()
    return entry


def _mentionable(session: Session, ticket: Ticket, names: list[str]) -> list[User]:
    """The users called `names`; UnknownMention naming any who are none who may see it."""
    if not names:
        return []
    by_name = {u.name: u for u in visibility.watchers(session, ticket)}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UnknownMention(unknown)
    return [by_name[n] for n in names]


def for_me(session: Session, user: User, limit: int = 100) -> list[Mention]:
    """The notes that mention `user`, newest first."""
    return list(session.scalars(select(Mention).where(Mention.user_id == user.id)
                                .order_by(Mention.id.desc()).limit(limit)).unique())


def unread(session: Session, user: User) -> int:
    """How many notes mention `user` that they have not read."""
    return session.scalar(select(func.count()).where(Mention.user_id == user.id, Mention.read_at.is_(None)))


def mark_read(session: Session, user: User, ticket: Ticket, at: datetime | None = None) -> int:
    """Mark the notes on `ticket` that mention `user` read (they opened it); commit. How many."""
    changed = session.execute(update(Mention).where(
        Mention.user_id == user.id, Mention.ticket_id == ticket.id, Mention.read_at.is_(None))
        .values(read_at=at or utcnow())).rowcount
    if changed:
        session.commit()
    return changed
