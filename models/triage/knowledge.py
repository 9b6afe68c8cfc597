"""What triage knows, read from data files: service and category keywords, a gazetteer.

`models/data/triage/keywords.csv` (field, code, strength, phrases) holds the sector and
category keywords, the words that mark the next as a place (cue) and those after which a
place name is a street's (street). `models/data/triage/places.csv` (province, county,
name_fa, name_en, variants, needs_cue) is the gazetteer: a row with no county adds names
for the province, any other names a county, or a city in it. Phrases are `;`-separated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterator

from models.agencies import SECTORS
from models.categories import CATEGORIES
from models.provinces import BY_CODE
from models.triage.lexicon import Entry, Lexicon

DATA = Path(__file__).resolve().parent.parent / "data" / "triage"
WEIGHTS = {"strong": 3.0, "medium": 2.0, "weak": 1.0}
"""A strong word names the thing by itself; a medium one with any other; a weak one only
with a medium one or two others."""
PLACE_WEIGHT = 3.0
"""A place named outright."""
FIELDS = {"sector": {code for code, *_ in SECTORS}, "category": {code for code, *_ in CATEGORIES},
          "cue": {"county", "province"}, "street": {""}}


class KnowledgeError(ValueError):
    """A data file has a row triage cannot use; the message names the file and line."""


@dataclass(frozen=True)
class Place:
    """Where a gazetteer name points: a province, and a county (None: the province itself)."""

    province: str
    county: str | None
    needs_cue: bool
    """A name that is also a common word or first name counts only after a cue word."""


@dataclass(frozen=True)
class Knowledge:
    """The lexicons triage reads a text with, one per kind of thing found."""

    sectors: Lexicon
    categories: Lexicon
    places: Lexicon
    cues: Lexicon
    streets: Lexicon


@cache
def knowledge() -> Knowledge:
    """The shipped knowledge, read once per process on first use."""
    return load(DATA)


def load(folder: Path) -> Knowledge:
    """Read keywords.csv and places.csv from `folder`; raises KnowledgeError on a bad row."""
    words = list(_keywords(folder / "keywords.csv"))
    by_field = {f: [e for e in words if e.field == f] for f in FIELDS}
    places = Lexicon(_places(folder / "places.csv"))
    known = places.words() | Lexicon(words).words()
    return Knowledge(sectors=Lexicon(by_field["sector"], suffixes=True, fuzzy=True, known=known),
                     categories=Lexicon(by_field["category"], suffixes=True, fuzzy=True, known=known),
                     places=places, cues=Lexicon(by_field["cue"]), streets=Lexicon(by_field["street"]))


def _rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield f"{path.name} line {number}", {k: (v or "").strip() for k, v in row.items()}


def _phrases(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def _keywords(path: Path) -> Iterator[Entry]:
    for where, row in _rows(path):
        field, code = row["field"], row["code"]
        if code not in FIELDS.get(field, ()):
            raise KnowledgeError(f"{where}: no {field!r} {code!r}")
        weight = WEIGHTS.get(row["strength"], 0.0) if field in ("sector", "category") else 0.0
        if field in ("sector", "category") and not weight:
            raise KnowledgeError(f"{where}: strength must be strong, medium or weak")
        yield from (Entry(field, code, weight, phrase) for phrase in _phrases(row["phrases"]))


def _places(path: Path) -> Iterator[Entry]:
    for where, row in _rows(path):
        province = BY_CODE.get(row["province"])
        if province is None:
            raise KnowledgeError(f"{where}: no province {row['province']!r}")
        place = Place(province.code, row["county"] or None, row["needs_cue"] == "1")
        names = [row["name_fa"], row["name_en"]] if place.county else [province.name_fa, province.name_en]
        for name in dict.fromkeys(names + _phrases(row["variants"])):
            if name:
                yield Entry("place", province.code, PLACE_WEIGHT, name, place)
