"""Which province and county a text names: gazetteer names, read with their neighbours.

A name counts unless a street word stands before it ("خیابان قزوین" is a street in Tehran) or
it lies inside a service's own name ("بانک پاسارگاد"), or inside an agency's name that is not
in that place. A name that is also a common word or first name ("بهار", "مهر", "شهریار")
counts only after a cue word ("شهر", "شهرستان", "استان", "شهرداری"). A name both a province's
and its capital's ("اصفهان") is the province; the county too only after a county cue. The
caller's landline province (when known) decides only when the text names none, and else
adds a small vote. Nothing else ever gives a province: triage never guesses one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from models.triage.directory_index import DirectoryIndex
from models.triage.knowledge import Knowledge, Place
from models.triage.lexicon import Hit
from models.triage.tokens import Token
from models.triage.votes import NOTHING, Suggestion, Tally, Vote

LANDLINE_CONFIDENCE = 0.9
"""The province of the caller's landline, when the text names none."""
LANDLINE_WEIGHT = 1.0
"""The landline's vote when the text names provinces too: a text naming another one still wins."""
AGENCY_PLACE_WEIGHT = 3.0
"""The province (or county) of an agency the text names: its name names the place."""


@dataclass(frozen=True)
class Reading:
    """What the places step sees of a text: its words, and what other steps found in it."""

    text: str
    tokens: Sequence[Token]
    services: Sequence[Hit]
    """Sector keyword hits: a place inside one is part of a service's name."""
    agencies: Sequence[Hit]
    directory: DirectoryIndex | None


def read_places(reading: Reading, kb: Knowledge, landline: str | None) -> tuple[Suggestion, Suggestion]:
    """The province and county suggestions for a text."""
    named = _named(reading, kb)
    provinces, counties = Tally(), Tally()
    for hit, place, county_cued in named:
        words = hit.words(reading.text, reading.tokens)
        if place.county is None:
            provinces.add(Vote(place.province, hit.weight(), words, "gazetteer"))
        elif county_cued or not any(p.county is None and h.start == hit.start for h, p, _ in named):
            provinces.add(Vote(place.province, hit.weight(), words, "gazetteer"))
            counties.add(Vote(f"{place.province}/{place.county}", hit.weight(), words, "gazetteer"))
    _agency_votes(reading, provinces, counties)
    province = _with_landline(provinces, landline)
    return province, _county(counties, province)


def _named(reading: Reading, kb: Knowledge) -> list[tuple[Hit, Place, bool]]:
    """The gazetteer hits that count, each with its place and whether a county cue precedes it."""
    cues = {hit.end: hit.entry.value for hit in kb.cues.find(reading.tokens)}
    streets = {hit.end for hit in kb.streets.find(reading.tokens)}
    named = []
    for hit in kb.places.find(reading.tokens):
        place: Place = hit.entry.extra
        if hit.start in streets or (place.needs_cue and hit.start not in cues):
            continue
        if any(_inside(hit, s) for s in reading.services) or not _agrees(reading, hit, place):
            continue
        named.append((hit, place, cues.get(hit.start) == "county"))
    return named


def _inside(hit: Hit, other: Hit) -> bool:
    longer = (other.end - other.start) > (hit.end - hit.start)
    return other.start <= hit.start and hit.end <= other.end and longer


def _agrees(reading: Reading, hit: Hit, place: Place) -> bool:
    """A place inside an agency's name counts only if that agency is in the place."""
    for agency in reading.agencies:
        if _inside(hit, agency) or (agency.start, agency.end) == (hit.start, hit.end):
            unit = reading.directory.units[agency.entry.value] if reading.directory else None
            return unit is not None and unit.province == place.province
    return True


def _agency_votes(reading: Reading, provinces: Tally, counties: Tally) -> None:
    for hit in reading.agencies:
        unit = reading.directory.units[hit.entry.value] if reading.directory else None
        if unit is None or not unit.province:
            continue
        words = hit.words(reading.text, reading.tokens)
        provinces.add(Vote(unit.province, AGENCY_PLACE_WEIGHT, words, "agency_name"))
        if unit.county:
            counties.add(Vote(f"{unit.province}/{unit.county}", AGENCY_PLACE_WEIGHT, words, "agency_name"))


def _with_landline(provinces: Tally, landline: str | None) -> Suggestion:
    if landline and not provinces.votes:
        return Suggestion(landline, LANDLINE_CONFIDENCE, (), "landline")
    if landline:
        provinces.add(Vote(landline, LANDLINE_WEIGHT, "", "landline", "landline"))
    return provinces.decide()


def _county(counties: Tally, province: Suggestion) -> Suggestion:
    """The county, among those in the chosen province; no surer than the province."""
    if province.value is None:
        return NOTHING
    here = Tally([v for v in counties.votes if v.value.split("/")[0] == province.value])
    found = here.decide()
    if found.value is None:
        return NOTHING
    return Suggestion(found.value.split("/", 1)[1], min(found.confidence, province.confidence),
                      found.evidence, found.rule)
