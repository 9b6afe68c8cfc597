"""Triage: read a complaint's text and suggest its sector, agency, category, province and
county, each with a confidence, the words that gave it away and the rule that fired.

Deterministic and explainable: the same text, facts and data always give the same answer,
and every suggestion carries its evidence. Precision over recall: a field with nothing to go
on is None, and one read unsurely has a confidence under the threshold, for the caller to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from models.phones import Caller
from models.triage.directory_index import AGENCY_WEIGHT, DirectoryIndex
from models.triage.knowledge import Knowledge, knowledge
from models.triage.lexicon import Hit
from models.triage.places import Reading, read_places
from models.triage.tokens import tokenize
from models.triage.votes import NOTHING, Suggestion, Tally, Vote

THRESHOLD = 0.75
"""A suggestion this sure (or surer) may be acted on without asking: one strong word, or a
strong word against a weak one for something else."""
FIELDS = ("sector", "agency", "category", "province", "county")
CONFLICT = 0.5
"""How much less sure a named agency is when it sits in another province than the text reads."""


@dataclass(frozen=True)
class Known:
    """What is known of a complaint before its text is read."""

    province: str | None = None
    """The caller's province from a landline's area code (models.phones), else None."""
    via: str | None = None
    """The channel ("call", "sms" ...): kept with the reading, it changes no rule."""
    language: str = "fa"
    """The language the citizen chose or wrote in: kept with the reading; every text is read
    for Persian, Finglish and English words alike."""

    @classmethod
    def of(cls, caller: Caller, via: str | None = None, language: str = "fa") -> "Known":
        """What a caller's number tells: the province of an Iranian landline, else nothing."""
        return cls(caller.province.code if caller.province else None, via, language)


@dataclass(frozen=True)
class Triage:
    """One suggestion per field, and the threshold to trust them by."""

    sector: Suggestion
    agency: Suggestion
    category: Suggestion
    province: Suggestion
    county: Suggestion
    known: Known = Known()
    threshold: float = THRESHOLD

    def get(self, field: str) -> Suggestion:
        """The suggestion for `field` (one of FIELDS)."""
        if field not in FIELDS:
            raise KeyError(field)
        return getattr(self, field)

    def is_confident(self, field: str) -> bool:
        """True when `field` has a value at least as sure as the threshold."""
        found = self.get(field)
        return found.value is not None and found.confidence >= self.threshold

    def confident(self) -> dict[str, str]:
        """The values sure enough to act on, by field."""
        return {f: self.get(f).value for f in FIELDS if self.is_confident(f)}  # type: ignore[misc]

    def as_dict(self) -> dict[str, Any]:
        """Every suggestion as plain data, with what was known (for a timeline event or JSON)."""
        # By hand: dataclasses.asdict deep-copies recursively, a tenth of an intake's CPU.
        fields = {f: _plain(self.get(f), self.is_confident(f)) for f in FIELDS}
        known = self.known
        return {**fields, "known": {"province": known.province, "via": known.via, "language": known.language},
                "threshold": self.threshold}


def _plain(found: Suggestion, confident: bool) -> dict[str, Any]:
    return {"value": found.value, "confidence": found.confidence, "evidence": list(found.evidence),
            "rule": found.rule, "confident": confident}


def triage(text: str | None, known: Known = Known(), directory: DirectoryIndex | None = None, *,
           kb: Knowledge | None = None) -> Triage:
    """Read `text` and suggest where the complaint goes; `directory` lets it name agencies."""
    kb = kb or knowledge()
    tokens = tokenize(text or "")
    agencies = directory.find(text or "", tokens) if directory else []
    services = kb.sectors.find(tokens)
    reading = Reading(text or "", tokens, services, agencies, directory)
    province, county = read_places(reading, kb, known.province)
    agency = _agency(reading, province, county)
    category = _words(reading, kb.categories.find(tokens))
    return Triage(sector=_sector(reading), agency=agency, category=category, province=province, county=county,
                  known=known)


def _words(reading: Reading, hits: Sequence[Hit]) -> Suggestion:
    return _keywords(reading, hits).decide()


def _keywords(reading: Reading, hits: Sequence[Hit]) -> Tally:
    """A vote for each keyword found (a near spelling says so in its rule)."""
    tally = Tally()
    for hit in hits:
        rule = "near_spelling" if hit.near else "keyword"
        tally.add(Vote(hit.entry.value, hit.weight(), hit.words(reading.text, reading.tokens), rule,
                       hit.entry.phrase))
    return tally


def _sector(reading: Reading) -> Suggestion:
    """The service: its keywords, and the sector of each agency named."""
    tally = _keywords(reading, reading.services)
    for hit in reading.agencies:
        unit = reading.directory.units[hit.entry.value]  # type: ignore[union-attr]
        tally.add(Vote(unit.sector, AGENCY_WEIGHT, hit.words(reading.text, reading.tokens), "agency_name",
                       f"agency:{unit.code}"))
    return tally.decide()


def _agency(reading: Reading, province: Suggestion, county: Suggestion) -> Suggestion:
    """The agency the text names, moved down to its unit for the place when the place is sure."""
    tally = Tally()
    for hit in reading.agencies:
        tally.add(Vote(hit.entry.value, hit.weight(), hit.words(reading.text, reading.tokens),
                       "agency_name", hit.entry.value))
    named = tally.decide()
    if named.value is None or reading.directory is None:
        return NOTHING
    place = province.value if province.confidence >= THRESHOLD else None
    town = county.value if county.confidence >= THRESHOLD else None
    unit = reading.directory.localize(named.value, place, town)
    evidence, rule = named.evidence, named.rule
    if unit.code != named.value:
        evidence, rule = named.evidence + province.evidence + county.evidence, "agency_name+place"
    confidence = named.confidence
    if unit.province:  # an agency in a place is no surer than the text's reading of the place
        confidence = min(confidence, province.confidence if province.value == unit.province
                         else confidence * CONFLICT)
    return Suggestion(unit.code, round(confidence, 2), tuple(dict.fromkeys(evidence)), rule)
