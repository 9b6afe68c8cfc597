"""Finding an agency by what a person types: part of its Persian or English name, an alias or
its code, over the whole directory (thousands of agencies), for the console's agency picker.

Names are compared as triage compares words (`models.persian.fold`: Arabic ي/ك, ZWNJ, hamza
seats and case do not matter), each typed word anywhere in the agency's names; the whole text
at the start of a name, or a code typed whole, ranks first. Kept per process like triage's
directory index and read again when the directory changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import Agency, Level
from models.persian import fold
from models.provinces import PROVINCES
from models.triage.directory_index import DirectoryCache

LIMIT = 20
"""Agencies one search answers at most (a person narrows a longer list by typing on)."""
_LEVELS = [level.value for level in Level]
_PROVINCES = [p.code for p in PROVINCES]


@dataclass(frozen=True)
class Found:
    """An agency as the picker shows it."""

    id: int
    code: str
    name_fa: str
    name_en: str
    level: str
    sector_code: str
    province_code: str | None


@dataclass(frozen=True)
class _Entry:
    found: Found
    names: tuple[str, ...]
    """Its folded names: Persian, English, code and each alias."""
    text: str
    """All of them in one string, and once more with no spaces (ZWNJ typed or not)."""


class AgencyFinder:
    """The directory's agencies with their names folded for searching."""

    def __init__(self, agencies: list[tuple[Found, str | None]]) -> None:
        self._entries = [_entry(found, aliases) for found, aliases in agencies]

    @classmethod
    def load(cls, session: Session) -> "AgencyFinder":
        """Every agency of the directory, in one query."""
        rows = session.execute(select(Agency.id, Agency.code, Agency.name_fa, Agency.name_en, Agency.level,
                                      Agency.sector_code, Agency.province_code, Agency.aliases)).all()
        return cls([(Found(r.id, r.code, r.name_fa, r.name_en, r.level, r.sector_code, r.province_code),
                     r.aliases) for r in rows])

    def search(self, typed: str, limit: int = LIMIT, *, sectors: frozenset[str] | None = None
               ) -> tuple[list[Found], bool]:
        """The agencies matching `typed` (in `sectors` when given), best first, at most `limit`;
        and whether there were more."""
        query = fold(typed)
        words = query.split()
        if not words:
            return [], False
        ranked = sorted((_rank(entry, query, words), _order(entry.found), entry.found)
                        for entry in self._entries
                        if (sectors is None or entry.found.sector_code in sectors)
                        and all(word in entry.text for word in words))
        return [found for *_, found in ranked[:limit]], len(ranked) > limit


def _entry(found: Found, aliases: str | None) -> _Entry:
    names = tuple(fold(name) for name in (found.name_fa, found.name_en, found.code, *(aliases or "").split(";"))
                  if name and name.strip())
    joined = " ".join(names)
    return _Entry(found, names, f"{joined} {joined.replace(' ', '')}")


def _rank(entry: _Entry, query: str, words: list[str]) -> int:
    """0 a code typed whole, 1 a name starting with the text, 2 every word starting a word, 3 else."""
    if query == fold(entry.found.code):
        return 0
    if any(name.startswith(query) for name in entry.names):
        return 1
    return 2 if all(f" {word}" in f" {entry.text}" for word in words) else 3


def _order(found: Found) -> tuple[int, int, str]:
    """National bodies first, then by province, and within each from the ministry down."""
    where = _PROVINCES.index(found.province_code) + 1 if found.province_code in _PROVINCES else 0
    return where, _LEVELS.index(found.level) if found.level in _LEVELS else len(_LEVELS), found.code


_FINDERS: DirectoryCache[AgencyFinder] = DirectoryCache(AgencyFinder.load)


def finder(session: Session) -> AgencyFinder:
    """The process's agency finder for `session`'s database (read again when the directory changed)."""
    return _FINDERS.get(session)
