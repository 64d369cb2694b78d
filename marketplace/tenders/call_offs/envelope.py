"""The rurality-weighted envelope (docs/design.md 4.4), pure: integer pence, Decimal hours.

weekly envelope = sum over packages of round_half_up(round_half_up(base * weight) * hours), unless
the commissioner sets an explicit weekly envelope that is lower. A bid is within the envelope when
round_half_up(rate * total weekly hours) ≤ envelope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache


def round_half_up(value: Decimal) -> int:
    """Whole pence, halves rounded up (never banker's rounding)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class EnvelopeLine:
    """One package's share of the envelope, with its workings."""

    package: str
    rurality: str
    weight: Decimal
    weighted_rate_pence: int
    weekly_hours: Decimal
    weekly_pence: int


@dataclass(frozen=True)
class Envelope:
    base_rate_pence: int
    lines: tuple[EnvelopeLine, ...]
    computed_weekly_pence: int
    explicit_weekly_pence: int | None

    @property
    def weekly_pence(self) -> int:
        """The envelope in force: the explicit one when it is lower than the computed one."""
        if self.explicit_weekly_pence is not None:
            return min(self.explicit_weekly_pence, self.computed_weekly_pence)
        return self.computed_weekly_pence

    @property
    def total_weekly_hours(self) -> Decimal:
        return sum((line.weekly_hours for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class PackageHours:
    package: str
    rurality: str
    weekly_hours: Decimal


def weighted_envelope(
    base_rate_pence: int,
    weights: Mapping[str, Decimal],
    packages: Sequence[PackageHours],
    explicit_weekly_pence: int | None = None,
) -> Envelope:
    """The weekly envelope of a bundle of packages, rounded half-up at each package."""
    lines = []
    for item in packages:
        weight = weights[item.rurality]
        rate = round_half_up(Decimal(base_rate_pence) * weight)
        lines.append(
            EnvelopeLine(
                package=item.package,
                rurality=item.rurality,
                weight=weight,
                weighted_rate_pence=rate,
                weekly_hours=item.weekly_hours,
                weekly_pence=round_half_up(Decimal(rate) * item.weekly_hours),
            )
        )
    return Envelope(
        base_rate_pence=base_rate_pence,
        lines=tuple(lines),
        computed_weekly_pence=sum(line.weekly_pence for line in lines),
        explicit_weekly_pence=explicit_weekly_pence,
    )


# Below this, a rate in pence times hours in hundredths has fewer digits than a Decimal holds (28),
# so the Decimal product is exact and whole numbers give the same pence.
_EXACT_BELOW = 10**24


def weekly_cost_pence(rate_pence: int, weekly_hours: Decimal) -> int:
    """round_half_up(rate * hours) in whole pence: in whole numbers when the hours are whole
    hundredths (as they always are, 4.1), the Decimal product otherwise; the same result."""
    hundredths = _hundredths(weekly_hours) if weekly_hours.is_finite() else None
    if hundredths is not None:
        cents = rate_pence * hundredths
        if -_EXACT_BELOW < cents < _EXACT_BELOW:
            # Half-up, away from zero: floor(|cents| / 100 + 1/2) with its sign.
            whole = (abs(cents) + 50) // 100
            return -whole if cents < 0 else whole
    return round_half_up(Decimal(rate_pence) * weekly_hours)


@lru_cache(maxsize=256)
def _hundredths(weekly_hours: Decimal) -> int | None:
    """The hours as a whole number of hundredths, None when they are not (remembered: a call-off's
    hours are the same for each of its bids)."""
    numerator, denominator = weekly_hours.as_integer_ratio()
    return None if (100 * numerator) % denominator else 100 * numerator // denominator


def within_envelope(rate_pence: int, weekly_hours: Decimal, envelope_weekly_pence: int) -> bool:
    """A bid is within the envelope when its rate for the bundle's hours does not exceed it."""
    return weekly_cost_pence(rate_pence, weekly_hours) <= envelope_weekly_pence
