"""The labelled triage evaluation set (tests/data/triage-eval.jsonl) and how a reading of it is scored.

Each line: the text, the province known from a landline (or ""), and the expected sector,
category, province, county (the gazetteer's English name) and agency (a code of the
national-size directory of bench/directory.py), "" where the text gives none, plus tags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from models.triage import FIELDS, DirectoryIndex, Known, Triage, triage

EVAL_SET = Path(__file__).resolve().parent / "data" / "triage-eval.jsonl"
TARGETS = {"sector": 0.90, "province": 0.95}
"""Accuracy on the texts that name the field."""


def cases(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    """The labelled texts."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read(case: dict[str, Any], directory: DirectoryIndex) -> Triage:
    """Triage one labelled text as a channel would, with what is known of its caller."""
    return triage(case["text"], Known(province=case["known_province"] or None), directory)


@dataclass
class FieldScore:
    """How one field fared: on texts naming it (right, wrong, asked) and on texts naming none."""

    named: int = 0
    right: int = 0
    wrong: int = 0
    unnamed: int = 0
    invented: int = 0
    """Texts naming none that got a confident value (for the province: any value at all)."""
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of the texts naming the field that got it right, confidently."""
        return self.right / self.named if self.named else 1.0

    def count(self, field_name: str, expected: str, found: Triage, text: str) -> None:
        """Score one reading of one text."""
        value, sure = found.get(field_name).value, found.is_confident(field_name)
        if expected:
            self.named += 1
            self.right += sure and value == expected
            self.wrong += sure and value != expected
        else:
            self.unnamed += 1
            self.invented += (value is not None) if field_name == "province" else sure
        if (expected and not (sure and value == expected)) or (not expected and sure):
            self.misses.append(f"{field_name}: expected {expected or '-'}, got {value} "
                               f"({found.get(field_name).confidence}) in {text}")


def score(readings: Iterable[tuple[dict[str, Any], Triage]]) -> dict[str, FieldScore]:
    """Each field's score over the readings."""
    scores = {name: FieldScore() for name in FIELDS}
    for case, found in readings:
        for name in FIELDS:
            scores[name].count(name, case[name], found, case["text"])
    return scores


def referred_past_working_group(found: Triage) -> bool:
    """True when routing would send the ticket to a service's unit, not a FOAD working group:
    a confident agency, or a confident sector (whose unit routing then finds)."""
    return found.is_confident("agency") or (found.is_confident("sector") and found.sector.value != "foad")
