"""Bundle suggestions for a county's whole waiting list (3,000 packages): the product's grid
search against a naive scan of every package, running the same greedy rule."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from bench import Figure, median_ms
from marketplace.tenders.waiting_list.bundles import (
    BundlePlan,
    LeftOut,
    WaitingPackage,
    bundle_of,
    check_limits,
    great_circle_km,
    grow_bundle,
    no_partner,
    over_hours_limit,
    priority,
    sorted_by_id,
    suggest,
)

PACKAGES = 3000
RUNS = 5
MAX_RADIUS_KM = 5.0
MAX_WEEKLY_HOURS = Decimal("200.00")
# A county about Kent's size (about 100 km by 65 km), with towns where most people live.
SOUTH, NORTH, WEST, EAST = 50.90, 51.48, 0.00, 1.45
TOWNS = [  # latitude, longitude, spread in degrees, share of the packages
    (51.27, 0.52, 0.020, 0.16),  # Maidstone
    (51.28, 1.08, 0.015, 0.12),  # Canterbury
    (51.15, 0.87, 0.015, 0.12),  # Ashford
    (51.08, 1.17, 0.012, 0.08),  # Folkestone
    (51.39, 0.54, 0.020, 0.14),  # Medway towns
    (51.33, 1.41, 0.012, 0.08),  # Thanet
]


def county_waiting_list(count: int = PACKAGES, seed: int = 20261123) -> list[WaitingPackage]:
    """A seeded, made-up waiting list: most packages in a few dense towns, the rest spread over
    the countryside."""
    rng = random.Random(seed)
    packages = []
    for n in range(count):
        pick, town_share = rng.random(), 0.0
        for latitude, longitude, spread, share in TOWNS:
            town_share += share
            if pick < town_share:
                place = (rng.gauss(latitude, spread), rng.gauss(longitude, spread * 1.6))
                rurality = "urban_city_and_town"
                break
        else:
            place = (rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST))
            rurality = rng.choice(["rural_town_and_fringe", "rural_village_and_dispersed"])
        urgent = rng.random() < 0.15
        packages.append(
            WaitingPackage(
                id=f"{n:08x}-0000-4000-8000-000000000000",
                latitude=place[0],
                longitude=place[1],
                weekly_hours=Decimal(rng.randint(28, 112)) / 4,
                rurality=rurality,
                urgency="urgent" if urgent else "standard",
                start_by=date(2026, 12, 1) + timedelta(days=rng.randint(1, 35)),
            )
        )
    return packages


def naive_suggest(
    packages: Iterable[WaitingPackage], max_radius_km: float, max_weekly_hours: Decimal
) -> BundlePlan:
    """The baseline: the product's greedy rule, finding each seed's neighbours by measuring the
    distance to every package not yet bundled (O(n^2) over a waiting list)."""
    check_limits(max_radius_km, max_weekly_hours)
    left_out: list[LeftOut] = []
    remaining: dict[str, WaitingPackage] = {}
    for package in sorted_by_id(packages):
        if package.weekly_hours > max_weekly_hours:
            left_out.append(over_hours_limit(package, max_weekly_hours))
        else:
            remaining[package.id] = package
    bundles = []
    for seed in sorted(remaining.values(), key=priority):
        if seed.id not in remaining:
            continue
        del remaining[seed.id]
        candidates = []
        for other in remaining.values():
            distance = great_circle_km(
                seed.latitude, seed.longitude, other.latitude, other.longitude
            )
            if distance <= max_radius_km:
                candidates.append((distance, other))
        members = grow_bundle(seed, candidates, max_radius_km, max_weekly_hours)
        if len(members) == 1:
            left_out.append(no_partner(seed, max_radius_km))
            continue
        for member in members[1:]:
            del remaining[member.id]
        bundles.append(bundle_of(members))
    return BundlePlan(tuple(bundles), tuple(sorted(left_out, key=lambda x: x.package_id)))


def run() -> list[Figure]:
    packages = county_waiting_list()
    plan = suggest(packages, MAX_RADIUS_KM, MAX_WEEKLY_HOURS)
    if plan != naive_suggest(packages, MAX_RADIUS_KM, MAX_WEEKLY_HOURS):
        raise AssertionError("the grid and the naive scan suggest different bundles")
    bundled = sum(len(bundle.package_ids) for bundle in plan.bundles)
    print(
        f"  {len(packages)} packages, radius {MAX_RADIUS_KM} km, {MAX_WEEKLY_HOURS} hours: "
        f"{len(plan.bundles)} bundles of {bundled} packages, {len(plan.left_out)} left out"
    )
    grid = median_ms(lambda: suggest(packages, MAX_RADIUS_KM, MAX_WEEKLY_HOURS), RUNS)
    naive = median_ms(lambda: naive_suggest(packages, MAX_RADIUS_KM, MAX_WEEKLY_HOURS), RUNS)
    return [
        Figure(
            name=f"suggest ({len(packages)} packages)",
            median_ms=grid,
            runs=RUNS,
            baseline="naive O(n^2) scan, same greedy rule",
            baseline_median_ms=naive,
        )
    ]
