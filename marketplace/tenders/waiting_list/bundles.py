"""Bundle suggestions: waiting packages of one area grouped into runs by geography (pure: no ORM,
no I/O).

The greedy rule, deterministic for the same packages in any order:

1. A package needing more hours than a bundle may hold is left out (`over_hours_limit`).
2. The others are taken as seeds in priority order: urgent before standard, then earlier start-by
   date, then id. A seed already in a bundle is skipped.
3. A seed's candidates are the packages not yet bundled within `max_radius_km` of it (great-circle
   distance), nearest first (ties by id). Each joins when the total hours stay within
   `max_weekly_hours` and every member stays within `max_radius_km` of the bundle's centre.
4. A seed that no candidate can join is left out (`no_partner`): a bundle has two or more
   packages, because a cluster call-off needs two or more.

The centre is the mean position of the members (the normalised mean of their unit vectors,
rounded to 6 places of a degree); the radius is the largest distance from that centre to a
member, rounded up to the metre, so the reported radius never understates the spread and never
exceeds `max_radius_km`. Candidates are found through a grid of cells at least the radius wide,
so each seed looks at its own and the neighbouring cells, not at every package.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from marketplace.reference.postcodes.rules import RURALITY_CATEGORIES

EARTH_RADIUS_KM = 6371.0088
TWO_PLACES = Decimal("0.01")
CENTRE_PLACES = 6
# Cells are made this much wider than the bound needs, so rounding can never hide a neighbour.
_CELL_SLACK = 1 + 1e-9

LeftOutReason = Literal["over_hours_limit", "no_partner"]


@dataclass(frozen=True)
class WaitingPackage:
    id: str
    latitude: float
    longitude: float
    weekly_hours: Decimal
    rurality: str
    urgency: str  # "standard" or "urgent"
    start_by: date
    place: str = ""  # how people name where it is: its postcode district ("TN25")


@dataclass(frozen=True)
class Bundle:
    package_ids: tuple[str, ...]  # sorted
    centre: tuple[float, float]  # latitude, longitude
    radius_km: float
    total_weekly_hours: Decimal
    rurality_mix: dict[str, int]  # count per category present, in the categories' order
    explanation: str


@dataclass(frozen=True)
class LeftOut:
    package_id: str
    reason: LeftOutReason
    explanation: str


@dataclass(frozen=True)
class BundlePlan:
    bundles: tuple[Bundle, ...]  # in the order of their seeds' priority
    left_out: tuple[LeftOut, ...]  # by package id


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance between two points given in degrees, on a sphere of the Earth's
    mean radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def priority(package: WaitingPackage) -> tuple[bool, date, str]:
    """Seeds go urgent first, then by earlier start-by date, then by id."""
    return (package.urgency != "urgent", package.start_by, package.id)


def check_limits(max_radius_km: float, max_weekly_hours: Decimal) -> None:
    if not (math.isfinite(max_radius_km) and max_radius_km > 0):
        raise ValueError("max_radius_km must be a positive number")
    if not (max_weekly_hours.is_finite() and max_weekly_hours > 0):
        raise ValueError("max_weekly_hours must be positive")


def sorted_by_id(packages: Iterable[WaitingPackage]) -> list[WaitingPackage]:
    """The packages in id order; ids must be distinct."""
    ordered = sorted(packages, key=lambda p: p.id)
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise ValueError(f"package {before.id} is given twice")
    return ordered


def suggest(
    packages: Iterable[WaitingPackage], max_radius_km: float, max_weekly_hours: Decimal
) -> BundlePlan:
    """Group one area's waiting packages into bundles of two or more by the greedy rule above."""
    check_limits(max_radius_km, max_weekly_hours)
    left_out: list[LeftOut] = []
    fitting: list[WaitingPackage] = []
    for package in sorted_by_id(packages):
        if package.weekly_hours > max_weekly_hours:
            left_out.append(over_hours_limit(package, max_weekly_hours))
        else:
            fitting.append(package)
    grid = _Grid(fitting, max_radius_km)
    bundles: list[Bundle] = []
    for seed in sorted(fitting, key=priority):
        if not grid.holds(seed):
            continue
        grid.remove(seed)
        members = grow_bundle(seed, grid.near(seed), max_radius_km, max_weekly_hours)
        if len(members) == 1:
            left_out.append(no_partner(seed, max_radius_km))
            continue
        for member in members[1:]:
            grid.remove(member)
        bundles.append(bundle_of(members))
    return BundlePlan(tuple(bundles), tuple(sorted(left_out, key=lambda x: x.package_id)))


def grow_bundle(
    seed: WaitingPackage,
    candidates: list[tuple[float, WaitingPackage]],
    max_radius_km: float,
    max_weekly_hours: Decimal,
) -> list[WaitingPackage]:
    """The seed and the candidates (distance from the seed, package) that join it, nearest
    first, while the hours and the radius around the bundle's centre stay within the limits."""
    members = [seed]
    hours = seed.weekly_hours
    total = _unit_vector(seed)
    for _, candidate in sorted(candidates, key=lambda pair: (pair[0], pair[1].id)):
        if hours + candidate.weekly_hours > max_weekly_hours:
            continue
        vector = _unit_vector(candidate)
        trial = (total[0] + vector[0], total[1] + vector[1], total[2] + vector[2])
        if _radius_km([*members, candidate], _centre(trial)) > max_radius_km:
            continue
        members.append(candidate)
        hours += candidate.weekly_hours
        total = trial
    return members


def bundle_of(members: list[WaitingPackage]) -> Bundle:
    """The suggestion for these members (the seed first, then in the order they joined)."""
    total = (0.0, 0.0, 0.0)
    for member in members:
        vector = _unit_vector(member)
        total = (total[0] + vector[0], total[1] + vector[1], total[2] + vector[2])
    centre = _centre(total)
    radius = _radius_km(members, centre)
    hours = sum((m.weekly_hours for m in members), Decimal(0)).quantize(TWO_PLACES)
    counts = Counter(m.rurality for m in members)
    order = [*RURALITY_CATEGORIES, *sorted(set(counts) - set(RURALITY_CATEGORIES))]
    mix = {category: counts[category] for category in order if counts[category]}
    return Bundle(
        package_ids=tuple(sorted(m.id for m in members)),
        centre=centre,
        radius_km=radius,
        total_weekly_hours=hours,
        rurality_mix=mix,
        explanation=_explain(len(members), _nearest_place(members, centre), radius, hours, mix),
    )


def over_hours_limit(package: WaitingPackage, max_weekly_hours: Decimal) -> LeftOut:
    return LeftOut(
        package.id,
        "over_hours_limit",
        f"needs {package.weekly_hours.quantize(TWO_PLACES)} hours a week, more than the "
        f"{max_weekly_hours.quantize(TWO_PLACES)} a bundle may hold",
    )


def no_partner(package: WaitingPackage, max_radius_km: float) -> LeftOut:
    return LeftOut(
        package.id,
        "no_partner",
        f"no other waiting package within {max_radius_km:g} km fits in a bundle with it",
    )


def _nearest_place(members: list[WaitingPackage], centre: tuple[float, float]) -> str:
    """The place of the member nearest the centre: people read a place, not coordinates."""
    nearest = min(members, key=lambda m: (great_circle_km(*centre, m.latitude, m.longitude), m.id))
    return nearest.place


def _explain(count: int, place: str, radius: float, hours: Decimal, mix: dict[str, int]) -> str:
    # "within" must stay true: the radius is shown rounded up to a tenth of a kilometre.
    shown = math.ceil(round(radius * 10, 6)) / 10
    parts = sorted(mix.items(), key=lambda item: -item[1])  # stable: categories' order on ties
    kinds = ", ".join(f"{n} {category.replace('_', ' ')}" for category, n in parts)
    return (
        f"{count} packages within {shown:.1f} km of their centre"
        f"{f' (near {place})' if place else ''}: "
        f"{hours} hours a week ({kinds})"
    )


def _unit_vector(package: WaitingPackage) -> tuple[float, float, float]:
    phi, lam = math.radians(package.latitude), math.radians(package.longitude)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _centre(total: tuple[float, float, float]) -> tuple[float, float]:
    x, y, z = total
    latitude = math.degrees(math.atan2(z, math.hypot(x, y)))
    longitude = math.degrees(math.atan2(y, x))
    return round(latitude, CENTRE_PLACES), round(longitude, CENTRE_PLACES)


def _radius_km(members: list[WaitingPackage], centre: tuple[float, float]) -> float:
    farthest = max(great_circle_km(*centre, m.latitude, m.longitude) for m in members)
    return math.ceil(farthest * 1000) / 1000


class _Grid:
    """Packages not yet bundled, in cells of latitude and longitude wide enough that everything
    within the radius of a point lies in its own cell or the eight around it."""

    def __init__(self, packages: list[WaitingPackage], radius_km: float) -> None:
        self.radius_km = radius_km
        angle = radius_km / EARTH_RADIUS_KM  # radians of arc
        # Distance >= R * |difference of latitude|, so rows one angle tall suffice.
        self.row_degrees = math.degrees(angle) * _CELL_SLACK
        # hav(d/R) >= cos(lat1) cos(lat2) hav(difference of longitude), and both latitudes are at
        # most the data's largest |latitude|: that bounds the columns' width.
        widest = max((abs(p.latitude) for p in packages), default=0.0)
        bound = math.sin(angle / 2) / max(math.cos(math.radians(widest)), 1e-12)
        column_degrees = math.degrees(2 * math.asin(bound)) * _CELL_SLACK if bound < 1 else 360.0
        self.columns = max(1, int(360 / column_degrees))
        if self.columns < 3:  # neighbours would wrap onto each other: one column holds all
            self.columns = 1
        self.cells: dict[tuple[int, int], dict[str, WaitingPackage]] = {}
        self.cell_of: dict[str, tuple[int, int]] = {}
        for package in packages:
            cell = self._cell(package)
            self.cells.setdefault(cell, {})[package.id] = package
            self.cell_of[package.id] = cell

    def _cell(self, package: WaitingPackage) -> tuple[int, int]:
        row = math.floor((package.latitude + 90) / self.row_degrees)
        column = math.floor((package.longitude + 180) / 360 * self.columns) % self.columns
        return row, column

    def holds(self, package: WaitingPackage) -> bool:
        return package.id in self.cell_of

    def remove(self, package: WaitingPackage) -> None:
        del self.cells[self.cell_of.pop(package.id)][package.id]

    def near(self, seed: WaitingPackage) -> list[tuple[float, WaitingPackage]]:
        """(distance, package) for every package held within the radius of the seed."""
        row, column = self._cell(seed)
        columns = {(column + step) % self.columns for step in (-1, 0, 1)}
        found = []
        for r in (row - 1, row, row + 1):
            for c in columns:
                for other in self.cells.get((r, c), {}).values():
                    distance = great_circle_km(
                        seed.latitude, seed.longitude, other.latitude, other.longitude
                    )
                    if distance <= self.radius_km:
                        found.append((distance, other))
        return found
