"""Seeding by the system (the demo loader): trusted callers with no signed-in actor. Each function
creates only what is missing, so that seeding twice creates nothing the second time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import BadInput, NotFound, RuleBroken
from marketplace.tenders import schemas
from marketplace.tenders.directory import rurality_of_postcodes
from marketplace.tenders.service import MAX_AREA_WEEKLY_HOURS, pricing_row
from marketplace.tenders.tables import Area, Lot, Package, Pricing
from marketplace.units import two_places


async def ensure_lots(bodies: Iterable[schemas.LotCreate]) -> tuple[dict[str, UUID], int]:
    """As the system: create each lot whose code is new; returns every lot's id by code and how
    many were created."""
    wanted = list(bodies)
    if not wanted:
        return {}, 0
    async with write_transaction():
        rows = await Lot.select(Lot.id, Lot.code).where(Lot.code.is_in([b.code for b in wanted]))
        ids = {row["code"]: row["id"] for row in rows}
        new = [Lot(code=b.code, name=b.name.strip()) for b in wanted if b.code not in ids]
        if new:
            await Lot.insert(*new)
            await record(
                None,
                "seed_lots",
                "lot",
                details={"created": len(new), "codes": [x.code for x in new]},
            )
    return ids | {lot.code: lot.id for lot in new}, len(new)


async def ensure_areas(bodies: Iterable[schemas.AreaCreate]) -> tuple[dict[str, UUID], int]:
    """As the system: create each area whose code is new; returns every area's id by code and how
    many were created."""
    wanted = list(bodies)
    if not wanted:
        return {}, 0
    async with write_transaction():
        rows = await Area.select(Area.id, Area.code).where(
            Area.code.is_in([b.code for b in wanted])
        )
        ids = {row["code"]: row["id"] for row in rows}
        new = [
            Area(
                code=b.code,
                name=b.name.strip(),
                commissioner=b.commissioner_id,
                weekly_hours=None
                if b.weekly_hours is None
                else two_places(b.weekly_hours, "weekly_hours", Decimal(0), MAX_AREA_WEEKLY_HOURS),
            )
            for b in wanted
            if b.code not in ids
        ]
        if new:
            await Area.insert(*new)
            await record(
                None,
                "seed_areas",
                "area",
                details={"created": len(new), "codes": [area.code for area in new]},
            )
    return ids | {area.code: area.id for area in new}, len(new)


async def ensure_pricing(commissioner_id: UUID, prices: Mapping[str, schemas.PricingPut]) -> int:
    """As the system: give a commissioner pricing for each lot code it has none for yet (existing
    pricing is left as the commissioner set it); returns how many were created."""
    if not prices:
        return 0
    async with write_transaction():
        lots = await Lot.select(Lot.id, Lot.code).where(Lot.code.is_in(list(prices)))
        lot_ids = {row["code"]: row["id"] for row in lots}
        priced = await Pricing.select(Pricing.lot).where(Pricing.commissioner == commissioner_id)
        already = {row["lot"] for row in priced}
        new, codes = [], []
        for code, body in prices.items():
            if code not in lot_ids:
                raise NotFound(f"There is no lot with the code {code}")
            if lot_ids[code] in already:
                continue
            new.append(pricing_row(commissioner_id, lot_ids[code], body))
            codes.append(code)
        if new:
            await Pricing.insert(*new)
            await record(
                None,
                "seed_pricing",
                "pricing",
                organisation_id=commissioner_id,
                details={"created": len(new), "lot_codes": codes},
            )
    return len(new)


@dataclass(frozen=True)
class PackageSeed:
    """A package for the waiting list, as a seed gives it (its rurality comes from the directory)."""

    reference: str
    area_code: str
    postcode: str
    weekly_hours: Decimal
    service_level: str
    urgency: str
    urgency_reason: str | None
    start_by: date


async def ensure_packages(commissioner_id: UUID, seeds: Iterable[PackageSeed]) -> int:
    """As the system: put on a commissioner's waiting list each package whose reference it does not
    hold yet, with the rurality of its postcode from the directory; returns how many were added."""
    wanted = list(seeds)
    async with write_transaction():
        # Locking the commissioner's areas makes two seeds of one waiting list wait for each other.
        areas = await for_update(
            Area.select(Area.id, Area.code).where(Area.commissioner == commissioner_id)
        )
        area_ids = {row["code"]: row["id"] for row in areas}
        rurality = await rurality_of_postcodes(seed.postcode for seed in wanted)
        held = await Package.select(Package.reference).where(
            Package.commissioner == commissioner_id
        )
        references = {row["reference"] for row in held}
        new = []
        for seed in wanted:
            if seed.reference in references:
                continue
            if seed.area_code not in area_ids:
                raise RuleBroken(f"{seed.area_code} is not one of this commissioner's areas")
            if seed.postcode not in rurality:
                raise RuleBroken(f"{seed.postcode} is not in the postcode directory")
            if (seed.urgency == "urgent") != (seed.urgency_reason is not None):
                raise BadInput(
                    f"{seed.reference}: an urgent package, and only one, has an urgency reason"
                )
            new.append(
                Package(
                    commissioner=commissioner_id,
                    area=area_ids[seed.area_code],
                    reference=seed.reference,
                    postcode=seed.postcode,
                    rurality=rurality[seed.postcode],
                    weekly_hours=two_places(
                        seed.weekly_hours, "weekly_hours", Decimal("0.25"), Decimal(168)
                    ),
                    service_level=seed.service_level,
                    urgency=seed.urgency,
                    urgency_reason=seed.urgency_reason,
                    start_by=seed.start_by,
                )
            )
            references.add(seed.reference)
        if new:
            await Package.insert(*new)
            await record(
                None,
                "seed_packages",
                "package",
                organisation_id=commissioner_id,
                details={"created": len(new), "references": [p.reference for p in new]},
            )
    return len(new)
