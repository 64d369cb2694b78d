"""What other domains may read of lots, areas and pricing: these functions, never the tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from marketplace.db import for_update
from marketplace.reference.tables import Area, Lot, Pricing


async def lot_id(code: str) -> UUID | None:
    row = await Lot.select(Lot.id).where(Lot.code == code).first()
    return None if row is None else row["id"]


async def lot_code(lot_id: UUID) -> str | None:
    row = await Lot.select(Lot.code).where(Lot.id == lot_id).first()
    return None if row is None else str(row["code"])


async def one_provider_per_area(lot_id: UUID) -> bool:
    """Whether the lot's own rule allows only one provider with awarded care in an area."""
    row = await Lot.select(Lot.one_provider_per_area).where(Lot.id == lot_id).first()
    return bool(row and row["one_provider_per_area"])


async def lots_with_one_provider_per_area(lot_ids: Iterable[UUID]) -> set[UUID]:
    """Those of these lots whose own rule allows only one provider with awarded care in an
    area (one query for them all)."""
    wanted = list(lot_ids)
    if not wanted:
        return set()
    rows = await Lot.select(Lot.id).where(Lot.id.is_in(wanted) & Lot.one_provider_per_area.eq(True))
    return {row["id"] for row in rows}


async def own_area_ids(
    commissioner_id: UUID, codes: Iterable[str] | None = None, *, lock: bool = False
) -> dict[str, UUID]:
    """The commissioner's areas (those of `codes` only, when given) by code. With `lock`, their
    rows stay locked until the caller's transaction ends."""
    query = Area.select(Area.id, Area.code).where(Area.commissioner == commissioner_id)
    if codes is not None:
        query = query.where(Area.code.is_in(list(codes) or [""]))
    rows = await (for_update(query) if lock else query)
    return {row["code"]: row["id"] for row in rows}


async def areas_by_code(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each area of these codes, whoever's: id, code, name and commissioner."""
    rows = await Area.select(Area.id, Area.code, Area.name, Area.commissioner).where(
        Area.code.is_in(list(codes) or [""])
    )
    return {row["code"]: row for row in rows}


async def area_codes(area_ids: Iterable[UUID]) -> dict[UUID, str]:
    ids = list(area_ids)
    if not ids:
        return {}
    rows = await Area.select(Area.id, Area.code).where(Area.id.is_in(ids))
    return {row["id"]: row["code"] for row in rows}


async def pricing_of(commissioner_id: UUID, lot_id: UUID) -> dict[str, Any] | None:
    """The commissioner's pricing for the lot (every column), or None when it has set none."""
    row: dict[str, Any] | None = (
        await Pricing.select()
        .where((Pricing.commissioner == commissioner_id) & (Pricing.lot == lot_id))
        .first()
    )
    return row


async def lots() -> list[dict[str, Any]]:
    """Every lot's code and name, by code (the admission form offers them)."""
    rows: list[dict[str, Any]] = await Lot.select(Lot.code, Lot.name).order_by(Lot.code)
    return rows


async def areas_with_commissioners() -> list[dict[str, Any]]:
    """Every area's code, name and commissioner (id and name), by commissioner then area name."""
    rows: list[dict[str, Any]] = await Area.select(
        Area.code,
        Area.name,
        Area.commissioner.as_alias("commissioner_id"),
        Area.commissioner.name.as_alias("commissioner_name"),
    ).order_by(Area.commissioner.name, Area.name)
    return rows


async def names_of_codes() -> tuple[dict[str, str], dict[str, str]]:
    """Every area's and lot's name by its code (areas, lots): what pages show for the codes."""
    areas = await Area.select(Area.code, Area.name)
    lots = await Lot.select(Lot.code, Lot.name)
    return (
        {row["code"]: row["name"] for row in areas},
        {row["code"]: row["name"] for row in lots},
    )
