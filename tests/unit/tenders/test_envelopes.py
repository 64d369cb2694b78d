"""The rurality-weighted envelope, exactly as docs/design.md (4.4) states it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.tenders.call_offs.envelope import (
    PackageHours,
    round_half_up,
    weighted_envelope,
    within_envelope,
)

WEIGHTS = {
    "urban_major_conurbation": Decimal("1.00"),
    "urban_city_and_town": Decimal("1.00"),
    "rural_town_and_fringe": Decimal("1.05"),
    "rural_village_and_dispersed": Decimal("1.10"),
}


@pytest.mark.parametrize(
    ("value", "pence"),
    [("0.5", 1), ("1.5", 2), ("2.5", 3), ("2.4999", 2), ("-0.5", -1), ("2047.50", 2048)],
)
def test_halves_round_up_not_to_even(value: str, pence: int) -> None:
    assert round_half_up(Decimal(value)) == pence


def test_rural_packages_raise_the_envelope_with_workings_per_package() -> None:
    envelope = weighted_envelope(
        1950,
        WEIGHTS,
        [
            PackageHours("DEMO-1", "urban_city_and_town", Decimal("10.00")),
            PackageHours("DEMO-2", "rural_town_and_fringe", Decimal("7.25")),
            PackageHours("DEMO-3", "rural_village_and_dispersed", Decimal("12.50")),
        ],
    )
    # 1950 * 1.05 = 2047.5 -> 2048; 2048 * 7.25 = 14848
    # 1950 * 1.10 = 2145;   2145 * 12.5 = 26812.5 -> 26813
    assert [line.weighted_rate_pence for line in envelope.lines] == [1950, 2048, 2145]
    assert [line.weekly_pence for line in envelope.lines] == [19500, 14848, 26813]
    assert envelope.computed_weekly_pence == 61161
    assert envelope.weekly_pence == 61161
    assert envelope.total_weekly_hours == Decimal("29.75")


def test_an_explicit_envelope_applies_only_when_lower() -> None:
    packages = [PackageHours("P", "urban_city_and_town", Decimal("10.00"))]
    assert (
        weighted_envelope(2000, WEIGHTS, packages, explicit_weekly_pence=15000).weekly_pence
        == 15000
    )
    assert (
        weighted_envelope(2000, WEIGHTS, packages, explicit_weekly_pence=25000).weekly_pence
        == 20000
    )


def test_a_bid_is_within_the_envelope_up_to_the_penny() -> None:
    assert within_envelope(2100, Decimal("29.75"), 62475)  # 2100 * 29.75 = 62475
    assert not within_envelope(2100, Decimal("29.75"), 62474)
    # 2099 * 29.75 = 62445.25 -> 62445
    assert within_envelope(2099, Decimal("29.75"), 62445)


@given(
    base=st.integers(min_value=1, max_value=5000),
    quarters=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=20),
)
def test_with_all_weights_one_the_envelope_is_base_times_hours_per_package(
    base: int, quarters: list[int]
) -> None:
    ones = dict.fromkeys(WEIGHTS, Decimal("1.00"))
    packages = [
        PackageHours(str(i), "urban_city_and_town", Decimal(q) / 4) for i, q in enumerate(quarters)
    ]
    envelope = weighted_envelope(base, ones, packages)
    assert envelope.computed_weekly_pence == sum(
        round_half_up(base * p.weekly_hours) for p in packages
    )
    if len(packages) == 1:
        assert within_envelope(base, envelope.total_weekly_hours, envelope.weekly_pence)
