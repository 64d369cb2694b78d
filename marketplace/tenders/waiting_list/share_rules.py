"""The framework share (docs/design.md 3.5), pure: no I/O.

The share is the weekly hours placed through the framework (awarded care's weekly hours at the
award) divided by all the hours placed: those plus the weekly hours placed off framework. It is
worked out in exact fractions and shown as a percentage rounded half-up (two places by default).
The target is the commissioner's, 90% by default (Dorset Lot 1 specification, Appendix 1, 1.3
and 9.7: at least 90% of packages sourced through the framework).

Example: framework awards of 10.00, 12.50 and 7.25 hours and one placement of 4.75 hours give
29.75 / 34.50 = 86.23%.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

DEFAULT_TARGET_PERCENT = 90
MIN_TARGET_PERCENT, MAX_TARGET_PERCENT = 1, 100
MONTHS_SHOWN = 12
GROUPINGS = ("month", "lot", "area")


@dataclass(frozen=True, slots=True)
class PlacedHours:
    """Weekly hours placed once: through the framework (an award) or off it (a placement)."""

    lot_code: str
    area_code: str
    month: str  # YYYY-MM, Europe/London
    weekly_hours: Decimal
    framework: bool


@dataclass(frozen=True, slots=True)
class Tally:
    framework_hours: Decimal
    off_framework_hours: Decimal

    @property
    def total_hours(self) -> Decimal:
        return self.framework_hours + self.off_framework_hours

    @property
    def share(self) -> Fraction | None:
        """Framework hours ÷ all hours placed; None when nothing was placed."""
        return share(self.framework_hours, self.off_framework_hours)


def share(framework_hours: Decimal, off_framework_hours: Decimal) -> Fraction | None:
    total = Fraction(framework_hours) + Fraction(off_framework_hours)
    if total == 0:
        return None
    return Fraction(framework_hours) / total


def percent(value: Fraction | None, places: int = 2) -> Decimal | None:
    """A share as a percentage rounded half-up to `places` places (86.23 for 29.75 / 34.50)."""
    if value is None:
        return None
    scaled = value * 100 * 10**places
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-places)


def meets(value: Fraction | None, target_percent: int) -> bool | None:
    """Whether a share reaches the target (exactly, before any rounding)."""
    return None if value is None else value >= Fraction(target_percent, 100)


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    if moment.tzinfo is None:
        raise ValueError("the moment needs its time zone")
    return moment.astimezone(zone).strftime("%Y-%m")


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    """The `count` months up to and including today's, oldest first (YYYY-MM)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def tally(items: Iterable[PlacedHours]) -> Tally:
    framework, off = Decimal(0), Decimal(0)
    for item in items:
        if item.framework:
            framework += item.weekly_hours
        else:
            off += item.weekly_hours
    return Tally(framework, off)


_KEYS: dict[str, Callable[[PlacedHours], str]] = {
    "month": lambda item: item.month,
    "lot": lambda item: item.lot_code,
    "area": lambda item: item.area_code,
}


def grouped(items: Iterable[PlacedHours], by: str, keys: Iterable[str] = ()) -> dict[str, Tally]:
    """Tallies per month, lot or area, sorted by key; `keys` are shown even when empty (the
    twelve months of the chart)."""
    if by not in _KEYS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
    buckets: dict[Hashable, list[PlacedHours]] = {key: [] for key in keys}
    for item in items:
        buckets.setdefault(_KEYS[by](item), []).append(item)
    return {str(key): tally(buckets[key]) for key in sorted(buckets, key=str)}
