"""Loading a job's row: fresh, locked until commit, so that two runs cannot interleave."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from models.base import Base
from models.categories import Category
from models.db import adopt
from models.lean import Lean
from models.tickets import Ticket

Row = TypeVar("Row", bound=Base)


ROW_ID = "row_id"
"""The parameter naming the locked row in a locking statement (`ticket_lock`'s columns may use it)."""


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


def ticket_lock(*columns: ColumnElement[Any]) -> Lean:
    """`locked_ticket`'s statement reading `columns` (about the ticket, which may name it by
    the parameter ROW_ID) in the same round trip; build it once, run it with
    `locked_ticket_with`. Every job locks its ticket: the row is read lean (models.lean) and
    taken into the session as if loaded (models.db.adopt), without the ORM's loading, with its
    category (which the ORM would join in: texts name it)."""
    categories = (column.label(f"category_{column.key}") for column in _CATEGORIES.c)
    return Lean(select(*_TICKETS.c, *categories, *columns)
                .select_from(_TICKETS.outerjoin(_CATEGORIES, _CATEGORIES.c.code == _TICKETS.c.category_code))
                .where(_TICKETS.c.id == bindparam(ROW_ID)).with_for_update(of=_TICKETS))


def locked_ticket_with(session: Session, ticket_id: int, query: Lean) -> tuple[Any, ...] | None:
    """Run `query` (a `ticket_lock`) for the ticket: the ticket (the session's own object,
    refreshed, when it holds one) and its columns' values; None when there is no such ticket."""
    row = query.first(session.connection(), {ROW_ID: ticket_id})
    if row is None:
        return None
    held = session.identity_map.get(identity_key(Ticket, ticket_id)) is not None
    ticket = adopt(session, Ticket, dict(zip(_TICKET_KEYS, row)))
    if held:  # as a fresh load would: what it refers to is read anew when next read
        session.expire(ticket, _RELATIONS)
    columns, category = len(_TICKET_KEYS), dict(zip(_CATEGORY_KEYS, row[len(_TICKET_KEYS):]))
    set_committed_value(ticket, "category", adopt(session, Category, category) if category["code"] else None)
    set_committed_value(ticket, "events", [])  # appended to, never read, in a job
    return (ticket, *row[columns + len(_CATEGORY_KEYS):])


_TICKETS, _CATEGORIES = Ticket.__table__, Category.__table__
_TICKET_KEYS = tuple(column.key for column in _TICKETS.c)
_CATEGORY_KEYS = tuple(column.key for column in _CATEGORIES.c)
_RELATIONS = [relation.key for relation in Ticket.__mapper__.relationships if relation.key != "events"]
_TICKET = ticket_lock()
