"""The rurality-weighted envelope's workings (docs/design.md section 4), pure: each package's line
says which package it is, its rurality, the weight applied, the weighted rate and its weekly
share, and the envelope keeps the base rate it was worked from, so that a commissioner can check
every figure. `make mutation` found the workings unpinned (docs/mutation.md)."""

from __future__ import annotations

from decimal import Decimal

from marketplace.tenders.call_offs.envelope import (
    Envelope,
    EnvelopeLine,
    PackageHours,
    weighted_envelope,
)

WEIGHTS = {
    "urban_major_conurbation": Decimal("1.00"),
    "urban_city_and_town": Decimal("1.00"),
    "rural_town_and_fringe": Decimal("1.05"),
    "rural_village_and_dispersed": Decimal("1.10"),
}


def test_each_package_line_shows_its_own_workings() -> None:
    envelope = weighted_envelope(
        1950,
        WEIGHTS,
        [
            PackageHours("DEMO-1", "urban_city_and_town", Decimal("10.00")),
            PackageHours("DEMO-2", "rural_town_and_fringe", Decimal("7.25")),
            PackageHours("DEMO-3", "rural_village_and_dispersed", Decimal("12.50")),
        ],
        explicit_weekly_pence=70000,
    )
    # 1950 * 1.05 = 2047.5 -> 2048, * 7.25 = 14848; 1950 * 1.10 = 2145, * 12.5 = 26812.5 -> 26813
    assert envelope == Envelope(
        base_rate_pence=1950,
        lines=(
            EnvelopeLine(
                "DEMO-1", "urban_city_and_town", Decimal("1.00"), 1950, Decimal("10.00"), 19500
            ),
            EnvelopeLine(
                "DEMO-2", "rural_town_and_fringe", Decimal("1.05"), 2048, Decimal("7.25"), 14848
            ),
            EnvelopeLine(
                "DEMO-3",
                "rural_village_and_dispersed",
                Decimal("1.10"),
                2145,
                Decimal("12.50"),
                26813,
            ),
        ),
        computed_weekly_pence=61161,
        explicit_weekly_pence=70000,
    )
    # The explicit envelope is higher than the computed one, so the computed one is in force.
    assert envelope.weekly_pence == 61161
