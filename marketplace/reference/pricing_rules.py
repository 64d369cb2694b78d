"""Pure: the maximum hourly rate of a call-off from the pricing's rates per service level
(docs/design.md 4.3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The waiting list's service levels, lowest first, with the pricing column of each maximum.
LEVEL_RATES = (
    ("standard", "max_hourly_rate_pence"),
    ("complex", "max_complex_hourly_rate_pence"),
    ("highly_complex", "max_highly_complex_hourly_rate_pence"),
)
LEVEL_NAMES = {
    "standard": "standard",
    "complex": "complex",
    "highly_complex": "high complex (PBS)",
}


def highest_level(levels: Iterable[str]) -> str:
    """The highest of these service levels ("standard" when there are none)."""
    order = [level for level, _ in LEVEL_RATES]
    given = [order.index(level) for level in levels if level in order]
    return order[max(given, default=0)]


def level_maximum(pricing: Mapping[str, Any], level: str) -> int:
    """The maximum hourly rate for a service level: its own rate when the pricing sets one,
    otherwise that of the nearest lower level that does (the standard maximum at worst)."""
    rate = int(pricing["max_hourly_rate_pence"])
    for name, column in LEVEL_RATES:
        if pricing.get(column) is not None:
            rate = int(pricing[column])
        if name == level:
            break
    return rate
