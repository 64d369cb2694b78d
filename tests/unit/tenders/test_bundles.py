"""Bundle suggestions' pure rule: great-circle distance, limits on radius and hours, determinism."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bundles import naive_suggest
from marketplace.tenders.waiting_list.bundles import (
    Bundle,
    BundlePlan,
    WaitingPackage,
    great_circle_km,
    suggest,
)

TODAY = date(2026, 12, 1)
ASHFORD = (51.1465, 0.8750)


def package(
    id: str,
    latitude: float = ASHFORD[0],
    longitude: float = ASHFORD[1],
    hours: str = "10.00",
    rurality: str = "urban_city_and_town",
    urgency: str = "standard",
    days: int = 10,
) -> WaitingPackage:
    return WaitingPackage(
        id=id,
        latitude=latitude,
        longitude=longitude,
        weekly_hours=Decimal(hours),
        rurality=rurality,
        urgency=urgency,
        start_by=TODAY + timedelta(days=days),
    )


def east_of_ashford(km: float) -> tuple[float, float]:
    """A point `km` due east of Ashford (near enough: longitude degrees shrink with latitude)."""
    from math import cos, degrees, radians

    return ASHFORD[0], ASHFORD[1] + degrees(km / 6371.0088) / cos(radians(ASHFORD[0]))


def all_ids(plan: BundlePlan) -> list[str]:
    ids = [i for bundle in plan.bundles for i in bundle.package_ids]
    return sorted(ids + [left.package_id for left in plan.left_out])


def assert_within_limits(bundle: Bundle, radius: float, hours: Decimal, by_id: dict) -> None:
    assert len(bundle.package_ids) >= 2
    assert bundle.radius_km <= radius
    assert bundle.total_weekly_hours <= hours
    assert bundle.total_weekly_hours == sum(by_id[i].weekly_hours for i in bundle.package_ids)
    for i in bundle.package_ids:
        member = by_id[i]
        assert great_circle_km(*bundle.centre, member.latitude, member.longitude) <= (
            bundle.radius_km
        )


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((51.5074, -0.1278), (48.8566, 2.3522), 343.5),  # London - Paris
        ((51.1465, 0.8750), (51.1465, 0.8750), 0.0),
        ((0.0, 0.0), (0.0, 180.0), 20015.1),  # half the equator
        ((0.0, 179.5), (0.0, -179.5), 111.2),  # across the antimeridian
        ((50.0, 1.0), (51.0, 1.0), 111.2),  # a degree of latitude: R * pi / 180
    ],
)
def test_great_circle_distance_matches_known_distances(a, b, km) -> None:
    assert great_circle_km(*a, *b) == pytest.approx(km, abs=0.1)
    assert great_circle_km(*b, *a) == pytest.approx(km, abs=0.1)


@pytest.mark.parametrize(
    ("distances_km", "radius", "hours", "expected_groups"),
    [
        # Three close together: one bundle.
        ([0.0, 1.0, 2.0], 5.0, "100.00", [["a", "b", "c"]]),
        # The third is too far from the seed: left out.
        ([0.0, 1.0, 12.0], 5.0, "100.00", [["a", "b"]]),
        # Hours: 10 + 10 fit in 25, the third does not.
        ([0.0, 1.0, 2.0], 5.0, "25.00", [["a", "b"]]),
        # Exactly the limit of hours is allowed.
        ([0.0, 1.0, 2.0], 5.0, "30.00", [["a", "b", "c"]]),
        # Two separate towns make two bundles.
        ([0.0, 0.5, 30.0, 30.5], 5.0, "100.00", [["a", "b"], ["c", "d"]]),
        # d is within the radius of the seed, but not of the centre a, b and c pull east.
        ([0.0, 4.0, 4.5, -4.9], 5.0, "100.00", [["a", "b", "c"]]),
    ],
)
def test_bundles_respect_the_radius_and_the_hours(
    distances_km, radius, hours, expected_groups
) -> None:
    packages = [
        package(chr(ord("a") + n), *east_of_ashford(km)) for n, km in enumerate(distances_km)
    ]
    plan = suggest(packages, radius, Decimal(hours))
    by_id = {p.id: p for p in packages}
    assert [list(b.package_ids) for b in plan.bundles] == expected_groups
    for bundle in plan.bundles:
        assert_within_limits(bundle, radius, Decimal(hours), by_id)
    assert all_ids(plan) == sorted(by_id)


def test_a_member_must_stay_within_the_radius_of_the_moving_centre() -> None:
    # Seed at 0; three packages 4.9 km east pull the centre east, so one 4.9 km west of the seed
    # (within the radius of the seed) would end up too far from the centre.
    packages = [
        package("a", *east_of_ashford(0.0)),
        package("b", *east_of_ashford(4.8)),
        package("c", *east_of_ashford(4.85)),
        package("d", *east_of_ashford(4.9)),
        package("e", *east_of_ashford(-4.95)),
    ]
    plan = suggest(packages, 5.0, Decimal("100.00"))
    assert [b.package_ids for b in plan.bundles] == [("a", "b", "c", "d")]
    assert [(x.package_id, x.reason) for x in plan.left_out] == [("e", "no_partner")]
    assert plan.bundles[0].radius_km <= 5.0


def test_urgent_packages_seed_first_then_earlier_start_dates() -> None:
    # b (urgent) seeds and takes its nearest, c, though a starts sooner; a is left alone.
    packages = [
        package("a", *east_of_ashford(0.0), days=1),
        package("b", *east_of_ashford(3.0), urgency="urgent", days=9),
        package("c", *east_of_ashford(4.0)),
    ]
    plan = suggest(packages, 2.0, Decimal("100.00"))
    assert [b.package_ids for b in plan.bundles] == [("b", "c")]
    assert [x.package_id for x in plan.left_out] == ["a"]


def test_a_package_over_the_hours_limit_is_left_out_with_the_reason() -> None:
    packages = [package("a", hours="40.00"), package("b"), package("c")]
    plan = suggest(packages, 5.0, Decimal("35.00"))
    assert [b.package_ids for b in plan.bundles] == [("b", "c")]
    (left,) = plan.left_out
    assert left.package_id == "a" and left.reason == "over_hours_limit"
    assert left.explanation == "needs 40.00 hours a week, more than the 35.00 a bundle may hold"


def test_a_lone_package_is_not_a_bundle() -> None:
    plan = suggest([package("a")], 5.0, Decimal("35.00"))
    assert plan.bundles == ()
    assert [(x.package_id, x.reason) for x in plan.left_out] == [("a", "no_partner")]
    assert suggest([], 5.0, Decimal("35.00")) == BundlePlan((), ())


def test_each_bundle_is_explained() -> None:
    packages = [
        package("a", *east_of_ashford(0.0), hours="10.50", rurality="rural_village_and_dispersed"),
        package("b", *east_of_ashford(2.0), hours="12.25", rurality="urban_city_and_town"),
        package("c", *east_of_ashford(4.0), hours="8.75", rurality="rural_village_and_dispersed"),
    ]
    (bundle,) = suggest(packages, 5.0, Decimal("40")).bundles
    assert bundle.total_weekly_hours == Decimal("31.50")
    assert bundle.rurality_mix == {"urban_city_and_town": 1, "rural_village_and_dispersed": 2}
    assert bundle.centre == pytest.approx(east_of_ashford(2.0), abs=1e-4)
    assert bundle.radius_km == pytest.approx(2.0, abs=0.01)
    assert bundle.explanation == (
        "3 packages within 2.1 km of their centre: 31.50 hours a week "
        "(2 rural village and dispersed, 1 urban city and town)"
    )


def test_bad_limits_and_repeated_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="max_radius_km"):
        suggest([package("a")], 0.0, Decimal(10))
    with pytest.raises(ValueError, match="max_weekly_hours"):
        suggest([package("a")], 5.0, Decimal(0))
    with pytest.raises(ValueError, match="given twice"):
        suggest([package("a"), package("a")], 5.0, Decimal(10))


def test_a_county_waiting_list_matches_the_naive_search() -> None:
    """The grid finds exactly the neighbours a scan of every package finds."""
    rng = random.Random(7)
    packages = [
        package(
            f"p{n:04d}",
            51.0 + rng.uniform(0, 0.4),
            0.5 + rng.uniform(0, 0.8),
            hours=str(Decimal(rng.randint(28, 112)) / 4),
            urgency="urgent" if rng.random() < 0.15 else "standard",
            days=rng.randint(1, 30),
        )
        for n in range(600)
    ]
    plan = suggest(packages, 3.0, Decimal("60.00"))
    assert plan == naive_suggest(packages, 3.0, Decimal("60.00"))
    assert len(plan.bundles) > 10


quarter_hours = st.integers(min_value=1, max_value=4 * 60).map(lambda q: Decimal(q) / 4)
waiting_packages = st.lists(
    st.builds(
        lambda n, lat, lon, hours, rurality, urgent, days: package(
            f"p{n:03d}",
            lat,
            lon,
            hours=str(hours),
            rurality=rurality,
            urgency="urgent" if urgent else "standard",
            days=days,
        ),
        st.integers(0, 999),
        st.floats(50.9, 51.4),
        st.floats(0.3, 1.4),
        quarter_hours,
        st.sampled_from(["urban_city_and_town", "rural_village_and_dispersed"]),
        st.booleans(),
        st.integers(0, 20),
    ),
    max_size=60,
    unique_by=lambda p: p.id,
)


@settings(max_examples=150, deadline=None)
@given(
    packages=waiting_packages,
    radius=st.floats(0.5, 40.0),
    hours=quarter_hours,
    seed=st.randoms(use_true_random=False),
)
def test_suggestions_are_the_same_in_any_order_and_within_the_limits(
    packages, radius, hours, seed
) -> None:
    plan = suggest(packages, radius, hours)
    shuffled = list(packages)
    seed.shuffle(shuffled)
    assert suggest(shuffled, radius, hours) == plan
    by_id = {p.id: p for p in packages}
    for bundle in plan.bundles:
        assert_within_limits(bundle, radius, hours, by_id)
    assert all_ids(plan) == sorted(by_id)  # every package once: in a bundle or left out
    assert plan == naive_suggest(packages, radius, hours)


@settings(max_examples=50, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lon=st.floats(-180.0, 180.0),
    offsets=st.lists(st.tuples(st.floats(-0.5, 0.5), st.floats(-3.0, 3.0)), max_size=30),
    radius=st.floats(1.0, 60.0),
)
def test_the_grid_misses_no_neighbour_anywhere_on_earth(lat, lon, offsets, radius) -> None:
    """Far north, far south and across the antimeridian, the grid finds what a scan finds."""
    packages = [
        package(
            f"p{n:02d}",
            max(-89.9, min(89.9, lat + dlat)),
            (lon + dlon + 180) % 360 - 180,
            hours="1.00",
        )
        for n, (dlat, dlon) in enumerate(offsets)
    ]
    assert suggest(packages, radius, Decimal(10)) == naive_suggest(packages, radius, Decimal(10))
