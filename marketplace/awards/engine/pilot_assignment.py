"""The pilot award's assignment of offers to areas, pure.

The award is the assignment of at most one offer to each area, and at most
`max_areas_per_provider` areas to each provider, that fills as many areas as it can and, among
those, has the highest sum of totals; equal sums go to the better quality ranks (compared best
first), then the earlier receipts, then the bid ids, so it never depends on input order.
Filling areas comes first so that no area goes without a pilot merely because its only bidders
score higher elsewhere.

Why trying combinations is exact and cheap: with N areas, an optimal assignment only ever gives
an area to one of the N best-ranked providers there. Were area A given to a provider outside
them, the other N - 1 areas would be held by at most N - 1 providers, so one of the N best in A
holds none of them; giving A to it instead keeps every provider within the limit, fills as many
areas, and raises the sum or keeps it and betters the tie-break. The same swap shows that only a
provider's best offer in an area is ever chosen. A pilot has at most 3 areas, so trying every
combination of those candidates (or nobody) per area takes at most 4³ = 64 tries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from itertools import product
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class AreaCandidate:
    """A compliant, scored offer that may be awarded its area."""

    area_code: str
    bid_id: UUID
    provider_id: UUID
    total: Fraction
    quality_key: tuple[Any, ...]
    received_at: datetime

    def rank_key(self) -> tuple[Any, ...]:
        """Rank in the area: higher total, better quality rank, earlier receipt, then bid id."""
        return (-self.total, self.quality_key, self.received_at, str(self.bid_id))

    @property
    def rough(self) -> float:
        """The total as a float, correctly rounded (ranks as the total does where two differ)."""
        return float(self.total)


def _assignment_key(choice: Sequence[AreaCandidate | None]) -> tuple[Any, ...]:
    chosen = [candidate for candidate in choice if candidate is not None]
    return (
        -len(chosen),
        -sum((candidate.total for candidate in chosen), Fraction(0)),
        sorted(candidate.quality_key for candidate in chosen),
        sorted(candidate.received_at for candidate in chosen),
        sorted(str(candidate.bid_id) for candidate in chosen),
        [(1, "") if c is None else (0, str(c.bid_id)) for c in choice],
    )


def _shortlist(candidates: Iterable[AreaCandidate], size: int) -> list[AreaCandidate]:
    """The best-ranked offer of each of the `size` best-ranked providers."""
    kept: list[AreaCandidate] = []
    for candidate in sorted(candidates, key=AreaCandidate.rank_key):
        if len(kept) < size and all(c.provider_id != candidate.provider_id for c in kept):
            kept.append(candidate)
    return kept


def best_assignment(
    area_codes: Sequence[str], candidates: Iterable[AreaCandidate], max_areas_per_provider: int
) -> dict[str, AreaCandidate]:
    """The award of a pilot: at most one offer per area and at most `max_areas_per_provider`
    areas per provider, filling as many areas as possible with the highest sum of totals; ties go
    to better quality ranks, then earlier receipts (see the module's docstring for the search)."""
    pool = list(candidates)
    shortlists = [
        [None, *_shortlist((c for c in pool if c.area_code == code), len(area_codes))]
        for code in area_codes
    ]
    allowed = (
        choice
        for choice in product(*shortlists)
        if max(Counter(c.provider_id for c in choice if c).values(), default=0)
        <= max_areas_per_provider
    )
    best = min(allowed, key=_assignment_key)
    return {code: c for code, c in zip(area_codes, best, strict=True) if c is not None}
