"""Seeding by the system (the demo loader): trusted callers with no signed-in actor. Each function
creates only what is missing, so that seeding twice creates nothing the second time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from uuid import UUID

from marketplace.audit.service import record
from marketplace.db import write_transaction
from marketplace.errors import NotFound
from marketplace.reference import schemas
from marketplace.reference.service import MAX_AREA_WEEKLY_HOURS, pricing_row
from marketplace.reference.tables import Area, Lot, Pricing
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
