"""The rurality-weighted envelope (docs/design.md 4.4), pure: integer pence, Decimal hours.

weekly envelope = sum over packages of round_half_up(round_half_up(base * weight) * hours), unless
the commissioner sets an explicit weekly envelope that is lower. A bid is within the envelope when
round_half_up(rate * total weekly hours) ≤ envelope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


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


def within_envelope(rate_pence: int, weekly_hours: Decimal, envelope_weekly_pence: int) -> bool:
    """A bid is within the envelope when its rate for the bundle's hours does not exceed it."""
    return round_half_up(Decimal(rate_pence) * weekly_hours) <= envelope_weekly_pence
