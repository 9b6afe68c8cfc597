"""Loading a job's row: fresh, locked until commit, so that two runs cannot interleave."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.engine import Row as SqlRow
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models.base import Base
from models.tickets import Ticket

Row = TypeVar("Row", bound=Base)


ROW_ID = "row_id"
"""The parameter naming the locked row in a locking query (`ticket_lock`'s columns may use it)."""


def locked(session: Session, model: type[Row], row_id: int) -> Row | None:
    """The row, fresh from the database and locked until commit (PostgreSQL; SQLite
    transactions here take the write lock up front anyway): a second run waits, then
    finds what the first did."""
    return session.scalars(_locking(model), {ROW_ID: row_id}).unique().first()


@functools.cache
def _locking(model: type[Row]) -> Select[Any]:
    """Built once for each model: every job locks its row (a statement object reused keeps
    its cache key: executing it builds and compiles nothing)."""
    return (select(model).where(model.id == bindparam(ROW_ID)).with_for_update(of=model)
            .execution_options(populate_existing=True))


def locked_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, fresh and locked (see `locked`). Its timeline is not read: jobs only
    append to it (a query saved on every job). Its agency and official are loaded when first
    read, not joined in: joined, each brings its own joins (the agency's parent and sector,
    the official's agency), nine tables' columns on every job when most read none of them."""
    found = locked_ticket_with(session, ticket_id, _TICKET)
    return found[0] if found is not None else None


def ticket_lock(*columns: ColumnElement[Any]) -> Select[Any]:
    """`locked_ticket`'s query reading `columns` (about the ticket, which may name it by the
    parameter ROW_ID) in the same statement; build it once, run it with `locked_ticket_with`."""
    return _locking(Ticket).options(lazyload(Ticket.agency), lazyload(Ticket.official)).add_columns(*columns)


def locked_ticket_with(session: Session, ticket_id: int, query: Select[Any]) -> SqlRow[Any] | None:
    """Run `query` (a `ticket_lock`) for the ticket: a row of the ticket and its columns'
    values; None when there is no such ticket."""
    found = session.execute(query, {ROW_ID: ticket_id}).unique().first()
    if found is not None:
        set_committed_value(found[0], "events", [])  # appended to, never read, in a job
    return found


_TICKET = ticket_lock()
