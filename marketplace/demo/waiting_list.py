"""The demo waiting list: about 200 packages known only by pseudonymous references (never a name
or an address), in invented postcodes near real towns.

Pure and deterministic: the same seed gives the same list; start-by dates count from `today`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from marketplace.demo.areas import DemoArea, Place
from marketplace.demo.catalogue import COMMISSIONERS, DemoCommissioner
from marketplace.reference.postcodes.rules import PostcodeEntry
from marketplace.tenders.waiting_list.seeding import PackageSeed

SEED = 20261123
MIN_PACKAGES_PER_AREA = 3
# Real postcodes never use C, I, K, M, O or V in their last two letters, so a demo postcode made
# of them can never be mistaken for, or collide with, a real one.
DEMO_UNIT_LETTERS = "CIKMOV"
# Weekly hours per service level, in quarter hours (7.00 to 28.00 for standard packages).
QUARTERS_BY_LEVEL = {"standard": (28, 112), "complex": (42, 140), "highly_complex": (56, 168)}
LEVEL_WEIGHTS = {"standard": 70, "complex": 22, "highly_complex": 8}
URGENT_SHARE = 0.15
URGENCY_REASON_WEIGHTS = {"hospital_discharge": 6, "end_of_life": 2, "significant_harm": 2}


@dataclass(frozen=True)
class DemoWaitingList:
    postcodes: list[PostcodeEntry]  # distinct, every one invented
    packages: dict[str, list[PackageSeed]]  # by commissioner name


def packages_per_area(commissioner: DemoCommissioner) -> list[int]:
    """How many packages each area gets: in proportion to its weekly hours where they are known
    (equal shares where not), and never fewer than a handful."""
    hours = [area.weekly_hours or Decimal(1) for area in commissioner.areas]
    total = sum(hours)
    return [max(MIN_PACKAGES_PER_AREA, round(commissioner.packages * h / total)) for h in hours]


def demo_waiting_list(today: date, seed: int = SEED) -> DemoWaitingList:
    """Every commissioner's demo packages and the invented postcodes they live in."""
    rng = random.Random(seed)
    postcodes: dict[str, PostcodeEntry] = {}
    packages: dict[str, list[PackageSeed]] = {}
    for commissioner in COMMISSIONERS:
        seeds: list[PackageSeed] = []
        for area, count in zip(commissioner.areas, packages_per_area(commissioner), strict=True):
            for place in _places(rng, area, count):
                entry = _invent_postcode(rng, place, postcodes)
                postcodes[entry.postcode] = entry
                reference = f"{commissioner.reference_prefix}-{len(seeds) + 1:04d}"
                seeds.append(_package(rng, reference, area.code, entry.postcode, today))
        packages[commissioner.name] = seeds
    return DemoWaitingList(list(postcodes.values()), packages)


def _places(rng: random.Random, area: DemoArea, count: int) -> list[Place]:
    """`count` places of the area, going round all of them (in a shuffled order) before any
    repeats, so that every place and rurality of a big enough area appears."""
    order = list(area.places)
    rng.shuffle(order)
    return [order[i % len(order)] for i in range(count)]


def _invent_postcode(
    rng: random.Random, place: Place, taken: dict[str, PostcodeEntry]
) -> PostcodeEntry:
    while True:
        unit = f"{rng.randint(1, 9)}{rng.choice(DEMO_UNIT_LETTERS)}{rng.choice(DEMO_UNIT_LETTERS)}"
        postcode = f"{place.outward} {unit}"
        if postcode not in taken:
            break
    # Within about a kilometre of the town's centre.
    latitude = round(place.latitude + rng.uniform(-0.008, 0.008), 6)
    longitude = round(place.longitude + rng.uniform(-0.012, 0.012), 6)
    return PostcodeEntry(postcode, place.rurality, latitude, longitude)


def _package(
    rng: random.Random, reference: str, area_code: str, postcode: str, today: date
) -> PackageSeed:
    level = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
    low, high = QUARTERS_BY_LEVEL[level]
    quarters = rng.randint(low, high)
    if rng.random() < 0.6:  # most packages are whole or half hours
        quarters -= quarters % 2
    urgent = rng.random() < URGENT_SHARE
    reasons = list(URGENCY_REASON_WEIGHTS)
    reason = (
        rng.choices(reasons, weights=list(URGENCY_REASON_WEIGHTS.values()))[0] if urgent else None
    )
    days = rng.randint(1, 5) if urgent else rng.randint(3, 35)
    return PackageSeed(
        reference=reference,
        area_code=area_code,
        postcode=postcode,
        weekly_hours=(Decimal(quarters) / 4).quantize(Decimal("0.01")),
        service_level=level,
        urgency="urgent" if urgent else "standard",
        urgency_reason=reason,
        start_by=today + timedelta(days=days),
    )
