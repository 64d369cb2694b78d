"""Money is integer pence and hours are Decimals with two places (docs/design.md, 4.1).

msgspec cannot bound a Decimal, so the bounds and the places are checked here, naming the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketplace.errors import BadInput, FieldError

TWO_PLACES = Decimal("0.01")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """A date as people read it: 20 December 2026, whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def pounds(pence: int) -> str:
    """Pence as people read money: £1,234.56 (a minus sign before the £ when negative)."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def two_places(value: Decimal, field: str, low: Decimal, high: Decimal) -> Decimal:
    """`value` with exactly two decimal places, refused when it has more or is out of bounds."""
    if not value.is_finite() or value != value.quantize(TWO_PLACES):
        raise BadInput(
            f"{field} has at most two decimal places",
            [FieldError(field, "has at most two decimal places")],
        )
    if not low <= value <= high:
        raise BadInput(
            f"{field} must be between {low} and {high}",
            [FieldError(field, f"must be between {low} and {high}")],
        )
    return value.quantize(TWO_PLACES)
