"""Loading a job's row: fresh, locked until commit, so that two runs cannot interleave."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
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
    query = (select(model).where(model.id == row_id).with_for_update(of=model)
             .options(*options).execution_options(populate_existing=True))
    return session.scalars(query).unique().first()


def locked_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, fresh and locked (see `locked`). Its timeline is not read: jobs only
    append to it (a query saved on every job). Its agency and official are loaded when first
    read, not joined in: joined, each brings its own joins (the agency's parent and sector,
    the official's agency), nine tables' columns on every job when most read none of them."""
    ticket = locked(session, Ticket, ticket_id, lazyload(Ticket.agency), lazyload(Ticket.official))
    if ticket is not None:
        set_committed_value(ticket, "events", [])  # appended to, never read, in a job
    return ticket
