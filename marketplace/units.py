"""Money is integer pence and hours are Decimals with two places (docs/design.md, 4.1).

msgspec cannot bound a Decimal, so the bounds and the places are checked here, naming the field.
Hours in a request body are text of a declared pattern (`WeeklyHours`, `BundleHours`): the
pattern says the bounds and the places, msgspec refuses any other text (and a JSON number) with
400 naming the field, and the OpenAPI document shows it; `two_places` reads the text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec

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


# Hours as text: no sign, exponent or leading zero, at most two places ("7.5", "10.25", "168").
_QUARTER_TO_ONE = r"0\.(?:2[5-9]|[3-9][0-9]?)"
_PLACES = r"(?:\.[0-9]{1,2})?"
WEEKLY_HOURS_PATTERN = (
    rf"^(?:{_QUARTER_TO_ONE}|(?:[1-9][0-9]?|1[0-5][0-9]|16[0-7]){_PLACES}|168(?:\.00?)?)$"
)
PILOT_AREA_HOURS_PATTERN = (
    rf"^(?:{_QUARTER_TO_ONE}|(?:[1-9][0-9]?|1[0-9][0-9]){_PLACES}|200(?:\.00?)?)$"
)
BUNDLE_HOURS_PATTERN = rf"^(?:{_QUARTER_TO_ONE}|[1-9][0-9]{{0,3}}{_PLACES}|10000(?:\.00?)?)$"
AREA_HOURS_PATTERN = rf"^(?:(?:0|[1-9][0-9]{{0,5}}){_PLACES}|1000000(?:\.00?)?)$"
# Each pattern's bounds, as two_places checks them (tests/unit/test_units.py proves they agree).
HOURS_BOUNDS = {
    WEEKLY_HOURS_PATTERN: (Decimal("0.25"), Decimal(168)),
    PILOT_AREA_HOURS_PATTERN: (Decimal("0.25"), Decimal(200)),
    BUNDLE_HOURS_PATTERN: (Decimal("0.25"), Decimal(10000)),
    AREA_HOURS_PATTERN: (Decimal(0), Decimal(1000000)),
}


def _described(pattern: str) -> msgspec.Meta:
    low, high = HOURS_BOUNDS[pattern]
    return msgspec.Meta(
        pattern=pattern,
        description=f"hours a week as text, {low} to {high}, at most two places, like 7.50",
    )


WeeklyHours = Annotated[str, _described(WEEKLY_HOURS_PATTERN)]
PilotAreaHours = Annotated[str, _described(PILOT_AREA_HOURS_PATTERN)]
BundleHours = Annotated[str, _described(BUNDLE_HOURS_PATTERN)]
AreaHours = Annotated[str, _described(AREA_HOURS_PATTERN)]


def two_places(value: Decimal | str, field: str, low: Decimal, high: Decimal) -> Decimal:
    """`value` with exactly two decimal places, refused when it has more or is out of bounds."""
    value = Decimal(value) if isinstance(value, str) else value
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
