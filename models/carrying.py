"""A statement carrying the other writes of its step, so that the step is one round trip."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import HasCTE

from models.lean import Lean, all_rows

Carried = Sequence[tuple[UpdateBase, Mapping[str, Any]]]
"""Writes that go out with another statement: each a statement built once and its parameters,
named apart from the others' and from every column (an UPDATE takes a parameter named as one
of its table's columns for a value to SET)."""


def carrying(connection: Connection, statement: HasCTE, parameters: Mapping[str, Any],
             carried: Carried) -> list[Any]:
    """Run `statement` with the writes `carried` of the same step: on PostgreSQL inside its
    WITH, one round trip (the whole built once for each set of writes, and run lean:
    `models.lean`); on SQLite, which allows no write inside a WITH, each on its own first (no
    network: they cost it nothing). The rows `statement` returns."""
    if connection.dialect.name != "postgresql":
        for write, its_parameters in carried:
            connection.execute(write, its_parameters)
        return all_rows(connection.execute(statement, parameters))
    together = dict(parameters)
    for _, its_parameters in carried:
        together.update(its_parameters)
    return _with_carried(statement, tuple(write for write, _ in carried)).rows(connection, together)


@lru_cache(maxsize=32)
def _with_carried(statement: HasCTE, writes: tuple[UpdateBase, ...]) -> Lean:
    return Lean(statement.add_cte(*(write.cte(f"step_{n}") for n, write in enumerate(writes))) if writes
                else statement)
