"""The agency directory as triage reads it: every agency's names, aliases and code, and the
tree to walk down from a named agency to its unit in a place. Loaded from the database once
per process and again only when the directory changes."""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Iterator, Mapping, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.agencies import FOAD_SECTOR, Agency, Level
from models.triage.lexicon import Entry, Hit, Lexicon, longest
from models.triage.tokens import Token

LOCAL = (Level.PROVINCIAL, Level.COUNTY)
"""The levels of an agency's own offices in the provinces."""
Held = TypeVar("Held")
AGENCY_WEIGHT = 3.0
"""An agency named by its name, an alias or its code."""
CODE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")
"""A code or an all-capitals alias ("BMI", "MUN-TEH-TEHRAN"): matched as typed, in capitals,
because Finglish folding would make "SSO" the English word "so"."""


@dataclass(frozen=True)
class Unit:
    """One agency as triage sees it."""

    id: int | None
    code: str
    level: str
    sector: str
    parent: str | None
    province: str | None
    county: str | None


class DirectoryIndex:
    """Agencies by code, their names in a lexicon, their codes, and who is below whom."""

    def __init__(self, units: Iterable[Unit], names: Iterable[tuple[str, str]]) -> None:
        self.units = {u.code: u for u in units}
        self._offices = self._local_offices()
        named = [(code, n) for code, n in names if self.units[code].sector != FOAD_SECTOR]
        self.codes = {n: code for code, n in named if CODE.fullmatch(n)}
        self.lexicon = Lexicon(Entry("agency", code, AGENCY_WEIGHT, n)
                               for code, n in named if not CODE.fullmatch(n))

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> "DirectoryIndex":
        """An index of rows shaped like the directory CSV's (code, level, sector, parent ...)."""
        rows = list(rows)
        units = [Unit(row.get("id"), row["code"], row["level"], row["sector"], row.get("parent") or None,
                      row.get("province") or None, row.get("county") or None) for row in rows]
        return cls(units, (name for row in rows for name in _names(row)))

    @classmethod
    def load(cls, session: Session) -> "DirectoryIndex":
        """An index of the agencies table, read in one query."""
        rows = session.execute(select(Agency.id, Agency.code, Agency.level, Agency.sector_code,
                                      Agency.parent_id, Agency.province_code, Agency.county,
                                      Agency.name_fa, Agency.name_en, Agency.aliases)).all()
        code_of = {row.id: row.code for row in rows}
        return cls.from_rows({"id": r.id, "code": r.code, "level": r.level, "sector": r.sector_code,
                              "parent": code_of.get(r.parent_id), "province": r.province_code,
                              "county": r.county, "name_fa": r.name_fa, "name_en": r.name_en,
                              "aliases": r.aliases} for r in rows)

    def find(self, text: str, tokens: list[Token]) -> list[Hit]:
        """The agencies the text names: by a name or alias, or by a code typed in capitals."""
        hits = self.lexicon.find(tokens)
        for match in CODE.finditer(text):
            code = self.codes.get(match.group())
            inside = [i for i, t in enumerate(tokens) if match.start() <= t.start < match.end()]
            if code and inside:
                entry = Entry("agency", code, AGENCY_WEIGHT, match.group())
                hits.append(Hit(entry, inside[0], inside[-1] + 1))
        return longest(hits)

    def localize(self, code: str, province: str | None, county: str | None) -> Unit:
        """The unit of agency `code` for the place: its county office there, else its provincial
        one, else the agency itself (also when the agency sits in another province)."""
        start = self.units[code]
        if not province or (start.province and start.province != province):
            return start
        offices = self._offices.get(code, {})
        found = (county and offices.get((province, county.lower()))) or offices.get((province, ""))
        return self.units[found] if found else start

    def _local_offices(self) -> dict[str, dict[tuple[str, str], str]]:
        """For each agency, its own provincial and county offices by (province, county or "").
        Only through provincial and county offices: the Central Bank's affiliated banks are not
        the Central Bank's branches. Of two offices for one place the smaller code is kept."""
        offices: dict[str, dict[tuple[str, str], str]] = {}
        for unit in self.units.values():
            if unit.level not in LOCAL or not unit.province:
                continue
            place = (unit.province, (unit.county or "").lower() if unit.level == Level.COUNTY else "")
            above = self.units.get(unit.parent or "")
            while above is not None:
                mine = offices.setdefault(above.code, {})
                if place not in mine or unit.code < mine[place]:
                    mine[place] = unit.code
                above = self.units.get(above.parent or "") if above.level in LOCAL else None
        return offices


def _names(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    aliases = (row.get("aliases") or "").split(";")
    for name in (row["code"], row.get("name_fa"), row.get("name_en"), *aliases):
        if name and name.strip():
            yield row["code"], name.strip()


MARK = select(func.count(Agency.id), func.max(Agency.changed_at))
"""What tells that the directory changed: the agencies' count and their latest change."""
Mark = tuple[int, Any]


class DirectoryCache(Generic[Held]):
    """One index per database, reloaded when the agencies' count or latest change moves;
    `load` builds it (by default triage's DirectoryIndex; the console's agency search too)."""

    def __init__(self, load: Callable[[Session], Held] = DirectoryIndex.load) -> None:  # type: ignore[assignment]
        self._load = load
        self._lock = threading.Lock()
        self._held: dict[str, tuple[tuple[Any, ...], Held]] = {}

    def get(self, session: Session, mark: Mark | None = None) -> Held:
        """The index of the directory in `session`'s database, as it is now; `mark` is the
        directory's `MARK` when the caller read it already (in a query of its own)."""
        where = _database_of(session.get_bind().engine)
        if mark is None:
            mark = tuple(session.execute(MARK).one())
        with self._lock:
            held = self._held.get(where)
        if held is not None and held[0] == mark:
            return held[1]
        index = self._load(session)
        with self._lock:
            self._held[where] = (mark, index)
        return index


_SHARED: DirectoryCache[DirectoryIndex] = DirectoryCache()
_DATABASES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _database_of(engine: Engine) -> str:
    """The database an engine is on, as the caches key it (engines on one database share an
    index); remembered for each engine: rendering its URL costs more than the rest of a look-up."""
    found = _DATABASES.get(engine)
    if found is None:
        found = _DATABASES[engine] = engine.url.render_as_string(hide_password=True)
    return found


def directory_index(session: Session, mark: Mark | None = None) -> DirectoryIndex:
    """The process's cached index of the directory (reloaded when the directory changed);
    `mark` as `DirectoryCache.get` takes it."""
    return _SHARED.get(session, mark)
