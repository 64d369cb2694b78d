"""The patterns the OpenAPI document declares for hours, rurality weights and postcodes accept
exactly the text the server accepts: what matches is within the bounds and places that
`two_places` checks (or a postcode `normalise_postcode` reads), and what is within them matches."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from marketplace.reference.postcodes.rules import (
    POSTCODE_PATTERN,
    NotAPostcode,
    normalise_postcode,
)
from marketplace.reference.schemas import WEIGHT_PATTERN
from marketplace.units import HOURS_BOUNDS

BOUNDS = [*HOURS_BOUNDS.items(), (WEIGHT_PATTERN, (Decimal("0.50"), Decimal(3)))]


def _texts(high: Decimal) -> list[str]:
    """Every hundredth from 0 to a little past `high` near the edges, written three ways."""
    hundredths = [*range(0, 1200), *range(int(high * 100) - 300, int(high * 100) + 300)]
    texts = []
    for n in hundredths:
        value = Decimal(n) / 100
        texts += [f"{value:.2f}", f"{value:.1f}", str(value.normalize())]
    return texts


@pytest.mark.parametrize(
    ("pattern", "bounds"), BOUNDS, ids=[f"{low} to {high}" for _, (low, high) in BOUNDS]
)
def test_a_declared_decimal_pattern_matches_what_is_in_bounds_with_two_places(
    pattern: str, bounds: tuple[Decimal, Decimal]
) -> None:
    low, high = bounds
    for text in _texts(high):
        value = Decimal(text)
        plain = re.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?", text) is not None
        assert (re.search(pattern, text) is not None) == (plain and low <= value <= high), text


@pytest.mark.parametrize("text", ["07.5", "7.555", "+7", "7e1", " 7", "7.", ".5", "-1", "", "7,5"])
def test_a_declared_decimal_pattern_refuses_other_ways_of_writing_a_number(text: str) -> None:
    assert all(re.search(pattern, text) is None for pattern, _ in BOUNDS)


@pytest.mark.parametrize(
    "text", ["CT1 1AA", "ct11aa", " EC1A  1BB ", "W1A 1AA", "B33 8TH", "gir 0aa", "M1 1AE"]
)
def test_the_declared_postcode_pattern_matches_postcodes_the_directory_reads(text: str) -> None:
    assert re.search(POSTCODE_PATTERN, text) is not None
    normalise_postcode(text)


@pytest.mark.parametrize(
    "text", ["", "CT1", "1AA CT1", "CT1 1A", "CT1-1AA", "GIR 1AA", "QQ 1AA", "CT1 1AA!"]
)
def test_text_the_postcode_pattern_refuses_is_not_a_postcode(text: str) -> None:
    assert re.search(POSTCODE_PATTERN, text) is None
    with pytest.raises(NotAPostcode):
        normalise_postcode(text)
