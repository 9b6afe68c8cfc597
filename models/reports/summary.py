"""The summaries above the report cards: the country's and each province's totals, the share
answered in time, the slowest agencies and the most improved since the period before.

An agency counts for the province it sits in (its directory row); ministries and national
organizations, which have none, are summarised together as the national bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from models.provinces import PROVINCES
from models.reports.cards import Card
from models.reports.drill import NATIONAL
from models.reports.figures import Figures
from models.reports.trends import total

SHOWN = 3
"""How many slowest and most improved agencies a summary names."""


@dataclass(frozen=True)
class Summary:
    """One place's summary for a period."""

    place: str | None
    """A province code; None for the whole country, drill.NATIONAL for the national bodies."""
    figures: Figures
    agencies: int
    """Agencies with complaints in the period."""
    slowest: list[Card]
    """Ranked agencies with the lowest share answered in time, the lowest first."""
    improved: list[tuple[Card, float]]
    """Ranked agencies whose share answered in time rose most since the period before, with
    the rise (0-1)."""



def summarise(cards: Iterable[Card], before: dict[int, Figures], minimum: int, place: str | None = None) -> Summary:
    """The summary of `cards` (one period's), against each agency's figures the period `before`."""
    cards = [c for c in cards if c.figures.complaints]
    ranked = [c for c in cards if c.rank is not None]
    slowest = sorted(ranked, key=lambda c: (c.figures.share_in_time or 0.0, -(c.figures.first_answer_median_s or 0.0)))
    rises = [(c, c.figures.share_in_time - before[c.agency.id].share_in_time) for c in ranked
             if before.get(c.agency.id) and before[c.agency.id].complaints >= minimum]
    improved = sorted((r for r in rises if r[1] > 0), key=lambda r: (-r[1], r[0].agency.code))
    return Summary(place, total(c.figures for c in cards), len(cards), slowest[:SHOWN], improved[:SHOWN])


def by_province(cards: Iterable[Card], before: dict[int, Figures], minimum: int) -> list[Summary]:
    """A summary for the national bodies and for each province with complaints, in the
    directory's order."""
    places: dict[str, list[Card]] = {}
    for card in cards:
        if card.figures.complaints:
            places.setdefault(card.agency.province_code or NATIONAL, []).append(card)
    order = [NATIONAL, *(p.code for p in PROVINCES)]
    return [summarise(places[p], before, minimum, p) for p in order if p in places]
