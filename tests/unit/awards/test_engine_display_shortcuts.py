"""The engine's quicker display of a score or percentage (docs/design.md 4.1) reads as the
two-place Decimal it replaces: a Fraction written from its whole hundredths, a Decimal rounded by
its own half-up quantize, whatever their size (pure)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.awards.engine.phrases import shown, two_places


def fraction_two_places(value: Fraction | Decimal) -> Decimal:
    """The display rounding as it was written with Fractions."""
    exact = Fraction(value)
    hundredths = (abs(exact) * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(-hundredths if exact < 0 else hundredths) / 100).quantize(Decimal("0.01"))


# Up to 10^30: beyond the 28 digits of the Decimal display, where both ways refuse alike.
LARGE = 10**30
VALUES = st.one_of(
    st.fractions(min_value=-LARGE, max_value=LARGE, max_denominator=10**9),
    st.decimals(min_value=-LARGE, max_value=LARGE, allow_nan=False, allow_infinity=False),
    st.sampled_from([Fraction(-1, 1000), Fraction(1, 200), Decimal("-0.004"), Decimal("-0.00")]),
)


@given(VALUES)
def test_a_value_reads_as_its_two_place_decimal_or_is_refused_alike(
    value: Fraction | Decimal,
) -> None:
    try:
        expected = str(fraction_two_places(value))
    except InvalidOperation:
        with pytest.raises(InvalidOperation):
            shown(value)
        with pytest.raises(InvalidOperation):
            two_places(value)
        return
    assert shown(value) == expected
    assert str(two_places(value)) == expected
