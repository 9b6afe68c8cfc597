"""Photos and videos attached to a complaint."""

from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.messages import Message
from models.outbox import Job, add_work
from models.tickets import Ticket


class MediaRejected(Exception):
    """Not something we keep (its type, its size, its address); the message says why."""


class MediaGone(Exception):
    """The server will not give it to us (deleted, or not ours)."""


class MediaRetry(Exception):
    """The download failed in a way that may pass: try again later."""


@dataclass(frozen=True)
class Kept:
    """A stored attachment."""

    path: str
    """Relative to the media directory."""
    size: int
    content_type: str
    """What its content proved it to be (one of models.media_types.KEPT)."""


GONE = frozenset({401, 403, 404, 410})
"""HTTP answers to a download that will not change on a retry."""
CHUNK = 64 * 1024
"""Bytes read at a time, so a large file never sits in memory whole."""


class MediaStatus(StrEnum):
    """Where an attachment is."""

    PENDING = "pending"  # known by URL, not yet downloaded
    STORED = "stored"  # downloaded into the media directory
    REJECTED = "rejected"  # its content is not a photo or video, or it is too large (see `reason`)
    FAILED = "failed"  # could not be downloaded (see `reason`)


class Media(Base):
    """One attachment: where it came from and where it is kept."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    url: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    """The type the sender declared: never trusted, kept for the record."""
    status: Mapped[MediaStatus] = mapped_column(String(20), default=MediaStatus.PENDING)
    path: Mapped[str | None] = mapped_column(String(400))
    """Relative to the media directory."""
    size: Mapped[int | None]
    verified_type: Mapped[str | None] = mapped_column(String(100))
    """The type its first bytes proved it to be (models.media_types), set when stored; the
    console serves it as this and nothing else."""
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    message: Mapped[Message | None] = relationship()


def attach(session: Session, ticket: Ticket, items: Iterable[tuple[str, str]],
           message: Message | None = None) -> list[Media]:
    """Record each (URL, content type) on the ticket with the work to fetch it, in the
    caller's transaction."""
    attached = []
    for url, content_type in items:
        item = Media(ticket=ticket, url=url, content_type=content_type, message=message)
        session.add(item)
        session.flush()
        add_work(session, Job.FETCH_MEDIA, item.id, key=f"fetch_media:{item.id}", ticket_id=ticket.id)
        attached.append(item)
    return attached
