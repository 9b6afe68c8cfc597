"""Hot statements run on the driver's cursor: compiled once, without SQLAlchemy's per-run work.

Executing a Core statement through SQLAlchemy costs a few hundred microseconds of Python
before the driver sees it (the execution context, the cache lookup, the result's metadata),
about as much again as the driver and the round trip: on a statement that every complaint
runs (a new ticket's rows, a send's claim) that is a tenth of its whole cost. A `Lean`
statement is compiled once for PostgreSQL and then does only what the result needs: its
parameters through their types' bind processors, the cursor's execute, its rows' values
through their types' result processors. What stays the same: the connection's transaction
(begun as SQLAlchemy begins it), the engine's events (`before_cursor_execute`: a listener
counting round trips still sees every one) and its error handling (a driver's error is
raised as SQLAlchemy raises it, an IntegrityError as sqlalchemy.exc.IntegrityError, a lost
connection invalidated). SQLite runs it as any statement: no network, and its own
parameter style.

Only for statements whose parameters are plain binds (no expanding IN, a list bound at run
time, or literal-execute parameter) and that give every column with a Python-side default
or onupdate (computed by SQLAlchemy's execution context, which a Lean run does without):
`Lean` refuses any other when it first compiles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled for one dialect, with what each run needs of it."""

    compiled: SQLCompiler
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    """(parameter, bind processor) of each parameter whose type processes its value."""
    keys: tuple[str, ...]
    """The names of the result's columns (none for a statement that returns no rows)."""


def all_rows(result: Any) -> list[Any]:
    """Every row of a SQLAlchemy result; [] for a statement that returns none."""
    return result.all() if result.returns_rows else []


class LeanRow(tuple):  # type: ignore[type-arg]
    """A result row: its values by position and by column name (`row.id`, `row._mapping`)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._fields.index(name)]
        except ValueError:
            raise AttributeError(name) from None


_Reading = tuple[type[LeanRow], list[Callable[[Any], Any] | None]]
"""A result's row class and each column's result processor."""


class Lean:
    """A Core statement for a hot path (see the module). Build it once, at import."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._postgresql: _Compiled | None = None
        self._reading: _Reading | None = None
        """The row class and each column's result processor, known from the first run's result."""

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[Any]:
        """Run it in `connection`'s transaction (begun if none is): every row it returns."""
        if connection.dialect.name != "postgresql":
            return all_rows(connection.execute(self.statement, parameters))
        compiled = self._postgresql or self._compile(connection.dialect)
        values = compiled.compiled.construct_params(parameters)
        for name, process in compiled.binds:
            value = values[name]
            if value is not None:
                values[name] = process(value)
        if not connection.in_transaction():
            connection.begin()  # as Connection.execute begins one
        cursor = connection.connection.cursor()
        try:
            if connection._has_events or connection.engine._has_events:
                connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, values, None, False)
            cursor.execute(compiled.sql, values)
            # The compiled statement says whether rows come back; the driver's description
            # (an object for each column, every run) is read only to learn their types, once.
            found = cursor.fetchall() if compiled.keys else []
            if compiled.keys and self._reading is None:
                self._reading = self._reading_of(cursor.description, connection.dialect)
        except connection.dialect.loaded_dbapi.Error as exc:
            # SQLAlchemy's own handling: the error it would raise, a lost connection invalidated.
            connection._handle_dbapi_exception(exc, compiled.sql, values, cursor, None)
            raise  # not reached: the call above raises
        finally:
            cursor.close()
        return self._made(found) if compiled.keys else found

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Any | None:
        """`rows`' first row, or None when it returned none."""
        found = self.rows(connection, parameters)
        return found[0] if found else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise TypeError("a Lean statement takes plain binds only (no expanding IN, no literal_execute)")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # SQLAlchemy computes a column's Python-side default (or onupdate) in the execution
            # context that a Lean run does without: the statement must give each such column.
            raise TypeError("a Lean statement must give every column that has a Python-side default: "
                            + ", ".join(c.name for c in [*compiled.insert_prefetch, *compiled.update_prefetch]))
        processors = compiled._bind_processors
        # A parameter used twice (a time set in two columns) is processed once.
        binds = tuple((name, processors[name]) for name in dict.fromkeys(compiled.bind_names.values())
                      if name in processors)
        keys = tuple(entry.keyname for entry in compiled._result_columns)
        self._postgresql = _Compiled(compiled, str(compiled), binds, keys)
        return self._postgresql

    def _reading_of(self, description: Any, dialect: Dialect) -> _Reading:
        """The row class and each column's result processor, from the first run's result
        (several threads may get here at once: each makes the same)."""
        assert self._postgresql is not None
        entries = self._postgresql.compiled._result_columns
        return (type("Row", (LeanRow,), {"__slots__": (), "_fields": self._postgresql.keys}),
                [entry.type._cached_result_processor(dialect, column[1])
                 for entry, column in zip(entries, description)])

    def _made(self, found: list[tuple[Any, ...]]) -> list[Any]:
        """The driver's rows as LeanRows, each value through its type's result processor."""
        assert self._reading is not None
        row, results = self._reading
        if not any(results):
            return [row(values) for values in found]
        return [row(value if process is None or value is None else process(value)
                    for value, process in zip(values, results)) for values in found]
