"""From the words found to one suggestion per field, with a confidence a person can follow.

Each candidate value scores the weights of the distinct phrases that point to it (a strong
word 3, a weak one 1, a near spelling half). The confidence is the winner's share of all the
scores, times how far its own score reaches a strong word's (capped at 1): one strong word
alone is certain, two services named alike are a toss-up (0.5), a lone weak word is 0.33.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

FULL = 3.0
"""The score at which a lone candidate is certain: one strong word, or a place named outright."""


@dataclass(frozen=True)
class Suggestion:
    """What triage suggests for one field: the value (None: nothing found), how sure it is
    (0 to 1), the words of the text that gave it away, and the rule that fired."""

    value: str | None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    rule: str = "none"
    """"keyword", "near_spelling", "agency_name", "gazetteer", "landline", "agency_name+place" or "none"."""


NOTHING = Suggestion(None)


@dataclass(frozen=True)
class Vote:
    """One phrase's say for one value."""

    value: str
    weight: float
    words: str
    rule: str
    phrase: str = ""
    """The data's phrase (or other identity) that votes: the same phrase twice counts once."""


@dataclass
class Tally:
    """Votes for one field: a phrase, or the same words, count once for a value (at their best)."""

    votes: list[Vote] = field(default_factory=list)

    def add(self, vote: Vote) -> None:
        """Count a vote, unless the same phrase or words already voted for the same value;
        then keep the stronger of the two ("شهرداری" read as itself and as "شهردار" + ی)."""
        for n, seen in enumerate(self.votes):
            same = seen.words == vote.words or (seen.phrase and seen.phrase == vote.phrase)
            if seen.value == vote.value and same:
                if vote.weight > seen.weight:
                    self.votes[n] = vote
                return
        self.votes.append(vote)

    def scores(self) -> dict[str, float]:
        """Each value's score."""
        totals: dict[str, float] = {}
        for vote in self.votes:
            totals[vote.value] = totals.get(vote.value, 0.0) + vote.weight
        return totals

    def decide(self) -> Suggestion:
        """The best-scoring value (ties: the one named first) with its confidence and evidence."""
        scores = self.scores()
        if not scores:
            return NOTHING
        order = {v.value: n for n, v in reversed(list(enumerate(self.votes)))}
        best = sorted(scores, key=lambda value: (-scores[value], order[value]))[0]
        mine = [v for v in self.votes if v.value == best]
        confidence = confidence_of(scores[best], sum(scores.values()))
        rule = max(mine, key=lambda v: v.weight).rule
        return Suggestion(best, confidence, _evidence(mine), rule)


def confidence_of(best: float, total: float) -> float:
    """The winner's share of all scores times its reach towards FULL, rounded to 2 places."""
    return round((best / total) * min(1.0, best / FULL), 2) if total > 0 else 0.0


def _evidence(votes: Sequence[Vote]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.words for v in votes if v.words))
