"""The maximum hourly rate of a call-off from the pricing's rates per service level."""

from __future__ import annotations

from marketplace.reference.pricing_rules import highest_level, level_maximum

PLAIN = {"max_hourly_rate_pence": 2400}
LEVELLED = {
    "max_hourly_rate_pence": 2400,
    "max_complex_hourly_rate_pence": 2650,
    "max_highly_complex_hourly_rate_pence": 3100,
}


def test_the_highest_service_level_among_packages_decides() -> None:
    assert highest_level(["standard", "highly_complex", "complex"]) == "highly_complex"
    assert highest_level(["complex", "standard"]) == "complex"
    assert highest_level(["standard"]) == "standard"
    assert highest_level([]) == "standard"


def test_each_level_takes_its_own_maximum_when_set() -> None:
    assert level_maximum(LEVELLED, "standard") == 2400
    assert level_maximum(LEVELLED, "complex") == 2650
    assert level_maximum(LEVELLED, "highly_complex") == 3100


def test_without_rates_per_level_every_level_takes_the_standard_maximum() -> None:
    assert level_maximum(PLAIN, "complex") == 2400
    assert level_maximum(PLAIN, "highly_complex") == 2400


def test_an_unset_level_falls_back_to_the_nearest_lower_level_set() -> None:
    complex_only = {**PLAIN, "max_complex_hourly_rate_pence": 2650}
    assert level_maximum(complex_only, "highly_complex") == 2650
    high_only = {**PLAIN, "max_highly_complex_hourly_rate_pence": 3100}
    assert level_maximum(high_only, "complex") == 2400
    assert level_maximum(high_only, "highly_complex") == 3100
