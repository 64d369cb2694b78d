"""How the engine's figures read in its explanations, pure."""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from marketplace.units import long_date as long_date
from marketplace.units import pounds

TWO_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
_EXACT_HUNDREDTHS = 10**27
# Rounds half-up, and raises for a result of more than 28 digits (the default context's).
_HALF_UP = Context(
    prec=28, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation]
)


@lru_cache(maxsize=4096)
def per_hour(pence: int) -> str:
    """£24.00/h."""
    return f"{pounds(pence)}/h"


def _ratio(value: Fraction | Decimal | int) -> tuple[int, int]:
    """The value as numerator and positive denominator, exactly (no Fraction built for the
    common kinds: this runs for every figure of an evaluation)."""
    if type(value) is Fraction or isinstance(value, Fraction):
        return value.numerator, value.denominator
    if isinstance(value, Decimal):
        return value.as_integer_ratio()
    if isinstance(value, int):
        return value, 1
    exact = Fraction(value)
    return exact.numerator, exact.denominator


def two_places(value: Fraction | Decimal | int) -> Decimal:
    """An exact value rounded half-up (away from zero) to two places, for display."""
    if type(value) is Decimal and value.is_finite():
        # A Decimal's own half-up quantize is the same rounding of its exact value; zero shows
        # unsigned, and a value of more than 28 digits takes the way below (and fails there).
        try:
            rounded = value.quantize(TWO_PLACES, context=_HALF_UP)
        except InvalidOperation:
            pass
        else:
            return rounded if rounded else ZERO
    numerator, denominator = _ratio(value)
    # floor(|n / d| * 100 + 1/2), in whole numbers.
    hundredths = (200 * abs(numerator) + denominator) // (2 * denominator)
    return (Decimal(-hundredths if numerator < 0 else hundredths) / 100).quantize(TWO_PLACES)


def shown(value: Fraction | Decimal | int) -> str:
    """The display text of a score or percentage: two places, rounded half-up."""
    if type(value) is Fraction:
        # str(two_places(value)) written from the whole hundredths, as long as they are fewer
        # than the 28 digits that two_places' Decimal arithmetic keeps.
        numerator, denominator = value.numerator, value.denominator
        hundredths = (200 * abs(numerator) + denominator) // (2 * denominator)
        if hundredths < _EXACT_HUNDREDTHS:
            whole, part = divmod(hundredths, 100)
            sign = "-" if numerator < 0 and hundredths else ""
            return f"{sign}{whole}.{part:02d}"
    return str(two_places(value))


def counted(number: int, noun: str) -> str:
    """`1 compliant bid`, `4 compliant bids`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def listed(words: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def excluded_because(exclusions: tuple[str, ...]) -> str:
    """The reason given for an excluded bid: every failed gate, in order."""
    return f"excluded: {'; '.join(exclusions)}"
