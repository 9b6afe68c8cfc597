"""The outbox: work to queue, committed with the change that caused it, pushed after commit.

A row is written in the same transaction as the ticket change it belongs to, so the work
can never be lost: if Redis is down when the transaction commits, the relay queues it later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Callable

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from models.base import Base, utcnow


class Job(StrEnum):
    """The kinds of work the outbox carries; `worker.jobs` maps each to a function."""

    ROUTE_TICKET = "route_ticket"  # choose the agency and official, start the clock
    SEND_SMS = "send_sms"  # send one outbound SMS row through the provider
    FETCH_MEDIA = "fetch_media"  # download one MMS attachment
    TEXT_BACK = "text_back"  # text the citizen the result, then the survey


class OutboxItem(Base):
    """One piece of work to hand to the queue."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """Idempotency key, e.g. "route_ticket:42": the same work is never written twice."""
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(index=True)
    """Set when the item was handed to Redis; the relay looks for rows where it is null."""
    done_at: Mapped[datetime | None]
    """Set by the worker when the job finished, so the relay can tell lost work from done."""


def add_work(session: Session, job: Job, *args: Any, key: str, ticket_id: int | None = None) -> OutboxItem:
    """Write work to do after this transaction commits; the same key is written only once."""
    existing = session.query(OutboxItem).filter_by(key=key).one_or_none()
    if existing is not None:
        return existing
    item = OutboxItem(job=job.value, args=list(args), key=key, ticket_id=ticket_id)
    session.add(item)
    return item


def push_after_commit(sessions: sessionmaker[Session], push: Callable[[list[int]], None]) -> None:
    """After each commit of a session from `sessions`, call `push` with its new outbox ids."""

    @event.listens_for(sessions, "after_flush")
    def _collect(session: Session, _context) -> None:
        fresh = [obj.id for obj in session.new if isinstance(obj, OutboxItem)]
        session.info.setdefault("outbox_ids", []).extend(fresh)

    @event.listens_for(sessions, "after_commit")
    def _push(session: Session) -> None:
        ids = session.info.pop("outbox_ids", [])
        if ids:
            push(ids)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("outbox_ids", None)
