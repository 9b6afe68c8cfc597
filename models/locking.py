"""Loading a job's row: fresh, locked until commit, so that two runs cannot interleave."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.engine import Row as SqlRow
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.orm.attributes import set_committed_value

from models.base import Base
from models.tickets import Ticket

Row = TypeVar("Row", bound=Base)


def locked(session: Session, model: type[Row], row_id: int, *options: ORMOption) -> Row | None:
    """The row, fresh from the database and locked until commit (PostgreSQL; SQLite
    transactions here take the write lock up front anyway): a second run waits, then
    finds what the first did. `options` are the query's loader options."""
    return session.scalars(_locking(model, row_id, options)).unique().first()


def _locking(model: type[Row], row_id: int, options: tuple[ORMOption, ...]) -> Select[Any]:
    return (select(model).where(model.id == row_id).with_for_update(of=model)
            .options(*options).execution_options(populate_existing=True))


def locked_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, fresh and locked (see `locked`). Its timeline is not read: jobs only
    append to it (a query saved on every job). Its agency and official are loaded when first
    read, not joined in: joined, each brings its own joins (the agency's parent and sector,
    the official's agency), nine tables' columns on every job when most read none of them."""
    found = locked_ticket_with(session, ticket_id)
    return found[0] if found is not None else None


def locked_ticket_with(session: Session, ticket_id: int, *columns: ColumnElement[Any]) -> SqlRow[Any] | None:
    """`locked_ticket` and `columns` (about the ticket) read by the same statement: a row of
    the ticket and their values; None when there is no such ticket."""
    query = _locking(Ticket, ticket_id, (lazyload(Ticket.agency), lazyload(Ticket.official))).add_columns(*columns)
    found = session.execute(query).unique().first()
    if found is not None:
        set_committed_value(found[0], "events", [])  # appended to, never read, in a job
    return found
