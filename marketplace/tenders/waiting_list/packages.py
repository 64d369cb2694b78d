"""Use cases of the waiting list: packages known by a pseudonymous reference, and suggestions of
how to bundle them into cluster runs."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import BadInput, FieldError, NotAllowed, NotFound, RuleBroken, WrongState
from marketplace.pagination import keyset_page
from marketplace.principal import Principal
from marketplace.reference.postcodes.directory import (
    coordinates_of_postcodes,
    postcode_or_400,
    rurality_of_postcodes,
)
from marketplace.reference.postcodes.rules import postcode_district
from marketplace.reference.queries import own_area_ids
from marketplace.tenders.tables import Package
from marketplace.tenders.waiting_list import bundles, schemas
from marketplace.units import two_places

# Letters, digits and / _ - only: no spaces, so no "Jane Smith" and no "12 High Street".
REFERENCE = re.compile(schemas.REFERENCE_PATTERN)
MIN_HOURS, MAX_HOURS = Decimal("0.25"), Decimal(168)
MIN_BUNDLE_HOURS, MAX_BUNDLE_HOURS = Decimal("0.25"), Decimal(10000)


def _commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(NotAllowed("Only commissioners keep a waiting list"))


def check_package(body: schemas.PackageCreate) -> tuple[str, Decimal]:
    """A package's own rules: a pseudonymous reference, a UK postcode, weekly hours of two places
    from 0.25 to 168, and an urgency reason given when, and only when, it is urgent; returns the
    normalised postcode and the hours."""
    if not REFERENCE.match(body.reference):
        raise BadInput(
            "The reference must be a pseudonymous reference, not a name: 2 to 40 letters, digits, "
            "/, _ or -, with no spaces",
            [FieldError("reference", "must be a pseudonymous reference, not a name")],
        )
    hours = two_places(body.weekly_hours, "weekly_hours", MIN_HOURS, MAX_HOURS)
    if body.urgency == "urgent" and body.urgency_reason is None:
        raise RuleBroken(
            "An urgent package needs an urgency reason",
            [FieldError("urgency_reason", "is required when urgency is urgent")],
        )
    if body.urgency != "urgent" and body.urgency_reason is not None:
        raise RuleBroken(
            "Only an urgent package has an urgency reason",
            [FieldError("urgency_reason", "must be left out unless urgency is urgent")],
        )
    return postcode_or_400(body.postcode), hours


def _not_your_area(area_code: str) -> RuleBroken:
    return RuleBroken(
        f"{area_code} is not one of your areas",
        [FieldError("area_code", "is not one of your areas")],
    )


async def add_package(actor: Principal, body: schemas.PackageCreate) -> schemas.Package:
    """A commissioner puts a package on its waiting list, in one of its own areas, with the
    rurality of its postcode from the directory; references are unique per commissioner."""
    commissioner_id = _commissioner_of(actor)
    postcode, hours = check_package(body)
    async with write_transaction():
        # Locking the commissioner's areas serialises additions to one waiting list, so that two
        # packages with one reference cannot both get in.
        area_ids = await own_area_ids(commissioner_id, lock=True)
        if body.area_code not in area_ids:
            raise _not_your_area(body.area_code)
        rurality = (await rurality_of_postcodes([postcode])).get(postcode)
        if rurality is None:
            raise RuleBroken(
                f"{postcode} is not in the postcode directory",
                [FieldError("postcode", "is not in the postcode directory")],
            )
        taken = Package.exists().where(
            (Package.commissioner == commissioner_id) & (Package.reference == body.reference)
        )
        if await taken:
            raise WrongState(
                f"You already have a package with the reference {body.reference}",
                [FieldError("reference", "is already in use")],
            )
        package = Package(
            commissioner=commissioner_id,
            area=area_ids[body.area_code],
            reference=body.reference,
            postcode=postcode,
            rurality=rurality,
            weekly_hours=hours,
            service_level=body.service_level,
            urgency=body.urgency,
            urgency_reason=body.urgency_reason,
            start_by=body.start_by,
        )
        await package.save()
        # The postcode stays out of the append-only log: with the care need it could help
        # identify the person, and the log can never be erased.
        await record(
            actor,
            "add_package",
            "package",
            package.id,
            organisation_id=commissioner_id,
            details={
                "reference": body.reference,
                "area_code": body.area_code,
                "rurality": rurality,
                "weekly_hours": hours,
                "service_level": body.service_level,
                "urgency": body.urgency,
                "urgency_reason": body.urgency_reason,
                "start_by": body.start_by,
            },
        )
    return await get_package(actor, package.id)


def _select() -> Any:
    return Package.select(*Package.all_columns(), Package.area.code.as_alias("area_code"))


def _package(row: dict[str, Any]) -> schemas.Package:
    return schemas.Package(
        id=row["id"],
        reference=row["reference"],
        postcode=row["postcode"],
        rurality=row["rurality"],
        area_code=row["area_code"],
        weekly_hours=Decimal(row["weekly_hours"]).quantize(Decimal("0.01")),
        service_level=row["service_level"],
        urgency=row["urgency"],
        urgency_reason=row["urgency_reason"],
        start_by=row["start_by"],
        status=row["status"],
        created_at=row["created_at"],
        contingency_since=row["contingency_since"],
        handed_back_at=row["handed_back_at"],
        first_offered_at=row["first_offered_at"],
        contingency_reason=row["contingency_reason"],
    )


async def get_package(actor: Principal, package_id: UUID) -> schemas.Package:
    """One of the commissioner's own packages (another's is not found)."""
    commissioner_id = _commissioner_of(actor)
    row = (
        await _select()
        .where((Package.id == package_id) & (Package.commissioner == commissioner_id))
        .first()
    )
    if row is None:
        raise NotFound("There is no such package on your waiting list")
    return _package(row)


async def list_packages(
    actor: Principal,
    limit: int,
    cursor: str | None,
    *,
    status: str | None = None,
    area_code: str | None = None,
    urgency: str | None = None,
    service_level: str | None = None,
) -> schemas.PackagePage:
    """The commissioner's own packages, by reference, filtered by any of status, area, urgency
    and service level."""
    commissioner_id = _commissioner_of(actor)
    query = _select().where(Package.commissioner == commissioner_id)
    for column, value in [
        (Package.status, status),
        (Package.area.code, area_code),
        (Package.urgency, urgency),
        (Package.service_level, service_level),
    ]:
        if value is not None:
            query = query.where(column == value)
    rows, next_cursor = await keyset_page(query, Package.reference, limit, cursor)
    return schemas.PackagePage(items=[_package(row) for row in rows], next_cursor=next_cursor)


async def suggest_bundles(
    actor: Principal, body: schemas.BundleRequest
) -> schemas.BundleSuggestions:
    """Bundles of the commissioner's waiting packages, area by area (a bundle never crosses
    areas), by the greedy rule of tenders/bundles.py."""
    commissioner_id = _commissioner_of(actor)
    max_hours = two_places(
        body.max_weekly_hours, "max_weekly_hours", MIN_BUNDLE_HOURS, MAX_BUNDLE_HOURS
    )
    area_ids = await own_area_ids(commissioner_id)
    query = _select().where(
        (Package.commissioner == commissioner_id) & (Package.status == "waiting")
    )
    if body.area_code is not None:
        if body.area_code not in area_ids:
            raise _not_your_area(body.area_code)
        query = query.where(Package.area == area_ids[body.area_code])
    rows = await query
    places = await coordinates_of_postcodes({row["postcode"] for row in rows})
    by_area: dict[str, list[bundles.WaitingPackage]] = defaultdict(list)
    references = {str(row["id"]): row["reference"] for row in rows}
    unbundled: list[schemas.UnbundledPackage] = []
    for row in sorted(rows, key=lambda r: (r["area_code"], str(r["id"]))):
        place = places.get(row["postcode"])
        if place is None:  # the directory lost it after the package was added
            unbundled.append(
                schemas.UnbundledPackage(
                    area_code=row["area_code"],
                    package_id=row["id"],
                    reference=row["reference"],
                    reason="not_in_postcode_directory",
                    explanation=f"{row['postcode']} is no longer in the postcode directory",
                )
            )
            continue
        by_area[row["area_code"]].append(
            bundles.WaitingPackage(
                id=str(row["id"]),
                latitude=place[0],
                longitude=place[1],
                weekly_hours=Decimal(row["weekly_hours"]).quantize(Decimal("0.01")),
                rurality=row["rurality"],
                urgency=row["urgency"],
                start_by=row["start_by"],
                place=postcode_district(row["postcode"]),
            )
        )
    items: list[schemas.BundleSuggestion] = []
    for area_code in sorted(by_area):
        plan = bundles.suggest(by_area[area_code], body.max_radius_km, max_hours)
        items += [_suggestion(area_code, bundle, references) for bundle in plan.bundles]
        unbundled += [
            schemas.UnbundledPackage(
                area_code=area_code,
                package_id=UUID(left.package_id),
                reference=references[left.package_id],
                reason=left.reason,
                explanation=left.explanation,
            )
            for left in plan.left_out
        ]
    return schemas.BundleSuggestions(items=items, unbundled=unbundled)


def _suggestion(
    area_code: str, bundle: bundles.Bundle, references: dict[str, str]
) -> schemas.BundleSuggestion:
    return schemas.BundleSuggestion(
        area_code=area_code,
        package_ids=[UUID(i) for i in bundle.package_ids],
        references=[references[i] for i in bundle.package_ids],
        centre=bundle.centre,
        radius_km=bundle.radius_km,
        total_weekly_hours=bundle.total_weekly_hours,
        rurality_mix=bundle.rurality_mix,
        explanation=bundle.explanation,
    )


async def count_waiting(commissioner_id: UUID | None = None) -> int:
    """How many packages wait on the waiting list (one commissioner's, or all)."""
    waiting = Package.count().where(Package.status == "waiting")
    if commissioner_id is not None:
        waiting = waiting.where(Package.commissioner == commissioner_id)
    return int(await waiting)
