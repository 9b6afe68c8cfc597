"""The outbox: work to queue, committed with the change that caused it, pushed after commit.

A row is written in the same transaction as the ticket change it belongs to, so the work
can never be lost: if Redis is down when the transaction commits (or loses the job later),
the relay queues it again. A row is done when its job has finished. A job that failed for
good (its retries spent) is noted on its row, and the relay runs it again after a rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Callable

from sqlalchemy import (JSON, ColumnElement, ForeignKey, Index, Insert, String, cast, event, func, insert,
                        literal_column, select, text, update)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.orm.util import identity_key

from models.base import Base, utcnow
from models.tickets import Ticket


class Job(StrEnum):
    """The kinds of work the outbox carries; `worker.jobs` maps each to a function."""

    ROUTE_TICKET = "route_ticket"  # choose the agency and official, start the clock
    SEND_SMS = "send_sms"  # send one outbound SMS row through the provider
    FETCH_MEDIA = "fetch_media"  # download one MMS attachment
    TEXT_BACK = "text_back"  # text the citizen the result, then the survey
    ANSWER_SMS = "answer_sms"  # read an inbound text, act on it and queue the reply
    WAKE_CLOCK = "wake_clock"  # schedule the wake-ups of a clock restarted outside a worker (reopening)


class OutboxItem(Base):
    """One piece of work to hand to the queue."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The relay's scan: only work not done yet, oldest first.
        Index("ix_outbox_pending", "created_at", postgresql_where=text("done_at IS NULL"),
              sqlite_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """Idempotency key, e.g. "route_ticket:42": the same work is never written twice."""
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    """Set by the worker when the job finished. Until then the relay makes sure Redis has it."""
    failed_at: Mapped[datetime | None]
    """When its job last failed for good (retries spent); cleared when the relay runs it again."""
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    """How many times its job failed for good."""


def add_work(session: Session, job: Job, *args: Any, key: str, ticket_id: int | None = None) -> OutboxItem:
    """Write work to do after this transaction commits.

    `key` is unique: writing the same work twice fails the transaction, so a caller that
    may repeat itself (a retried job) checks its own state first.
    """
    item = OutboxItem(job=job.value, args=list(args), key=key, ticket_id=ticket_id)
    session.add(item)
    return item


_INSERT_WORK = insert(OutboxItem.__table__).returning(OutboxItem.__table__.c.id)
"""Built once: a statement object reused keeps its cache key, so executing it compiles nothing."""


def insert_work(session: Session, job: Job, *args: Any, key: str, ticket_id: int | None = None) -> int:
    """`add_work` as one INSERT … RETURNING now, for a hot path that has no use for the row
    object (the ORM's flush and its DML handling cost more than the statement itself): the
    row's id. Pushed after commit all the same; a repeated `key` fails the statement at once."""
    item_id = session.connection().execute(
        _INSERT_WORK, {"job": job.value, "args": list(args), "key": key, "ticket_id": ticket_id}).scalar_one()
    written(session).append(Work(item_id, job.value, args, _code(session, ticket_id)))
    return item_id


def work_from(job: Job, key: str, of: ColumnElement[int], written_at: ColumnElement[datetime],
              ticket_id: ColumnElement[int] | None = None, *where: ColumnElement[bool]) -> Insert:
    """The INSERT … SELECT of `job`'s work for a row the same statement writes (inside its
    WITH): its one argument, and its key after `key`, that row's id `of`; no row written (or
    `where` false), no work. Constants of ours are written into the SQL."""
    outbox = OutboxItem.__table__
    values = [literal_column(f"'{job.value}'"), func.json_build_array(of, type_=outbox.c.args.type),
              literal_column(f"'{key}'") + cast(of, String), written_at, literal_column("0")]
    columns = ["job", "args", "key", "created_at", "failures"]
    if ticket_id is not None:
        values.append(ticket_id)
        columns.append("ticket_id")
    return insert(outbox).from_select(columns, select(*values).where(*where), include_defaults=False)


def written(session: Session) -> list[Work]:
    """The work `session` wrote in its transaction, pushed once it commits: a statement that
    inserts outbox rows without the ORM adds what it wrote here."""
    return session.info.setdefault("outbox", [])


def note_failure(session: Session, item_id: int, at: datetime) -> int | None:
    """Note that the row's job failed for good at `at`; its count of such failures, or None
    when this failure was noted already (by the job's failure hook or the relay)."""
    noted = session.execute(update(OutboxItem).where(
        OutboxItem.id == item_id, OutboxItem.failed_at.is_(None), OutboxItem.done_at.is_(None))
        .values(failed_at=at, failures=OutboxItem.failures + 1)).rowcount
    return session.get(OutboxItem, item_id, populate_existing=True).failures if noted else None


def take_for_rerun(session: Session, item: OutboxItem) -> bool:
    """Clear the failure note of a row seen failed, for one relay to run its job again:
    True for the relay that cleared it (two relays at once: one wins)."""
    return session.execute(update(OutboxItem).where(
        OutboxItem.id == item.id, OutboxItem.failed_at == item.failed_at).values(failed_at=None)
    ).rowcount == 1


@dataclass(frozen=True)
class Work:
    """An outbox row as the queue needs it, detached from any session."""

    id: int
    job: str
    args: tuple[Any, ...]
    code: str | None = None
    """Its ticket's tracking code, when the session that wrote it held the ticket."""
    written_at: datetime | None = None
    """When its row was written, when read back from it (the wait of work taken from a line
    counts from then)."""


def _code(session: Session, ticket_id: int | None) -> str | None:
    """The tracking code of a ticket the session holds (no query: None when it does not)."""
    ticket = session.identity_map.get(identity_key(Ticket, ticket_id)) if ticket_id else None
    return ticket.code if ticket is not None else None


def push_after_commit(sessions: sessionmaker[Session], push: Callable[[list[Work]], None]) -> None:
    """After each commit of a session from `sessions`, call `push` with the work it wrote."""

    @event.listens_for(sessions, "after_flush")
    def _collect(session: Session, _context) -> None:
        written(session).extend(Work(o.id, o.job, tuple(o.args), _code(session, o.ticket_id))
                                for o in session.new if isinstance(o, OutboxItem))

    @event.listens_for(sessions, "after_commit")
    def _push(session: Session) -> None:
        work = session.info.pop("outbox", [])
        if work:
            push(work)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("outbox", None)
