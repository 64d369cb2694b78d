"""Reading off-framework placements: the commissioner's list (shown with the contingency queue)
and the placed hours the framework share reads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.pagination import newest_first_page
from marketplace.tenders.tables import OffFrameworkPlacement
from marketplace.tenders.waiting_list import placement_schemas as schemas

TWO_PLACES = Decimal("0.01")


def placement(row: dict[str, Any], reference: str) -> schemas.Placement:
    return schemas.Placement(
        id=row["id"],
        package_id=row["package"],
        reference=reference,
        lot_code=row["lot_code"],
        supplier_name=row["supplier_name"],
        hourly_rate_pence=row["hourly_rate_pence"],
        weekly_hours=Decimal(row["weekly_hours"]).quantize(TWO_PLACES),
        start_date=row["start_date"],
        reason=row["reason"],
        early_override_reason=row["early_override_reason"],
        placed_at=row["placed_at"],
    )


async def placements_of(commissioner_id: UUID, limit: int = 50) -> list[schemas.Placement]:
    """The commissioner's off-framework placements, latest first."""
    rows = (
        await OffFrameworkPlacement.select(
            *OffFrameworkPlacement.all_columns(),
            OffFrameworkPlacement.package.reference.as_alias("reference"),
            OffFrameworkPlacement.lot.code.as_alias("lot_code"),
        )
        .where(OffFrameworkPlacement.commissioner == commissioner_id)
        .order_by(OffFrameworkPlacement.placed_at, ascending=False)
        .limit(limit)
    )
    return [placement(row, row["reference"]) for row in rows]


async def placements_page(
    commissioner_id: UUID, limit: int, cursor: str | None
) -> tuple[list[schemas.Placement], str | None]:
    """The commissioner's off-framework placements latest first, a keyset page at a time."""
    query = OffFrameworkPlacement.select(
        *OffFrameworkPlacement.all_columns(),
        OffFrameworkPlacement.package.reference.as_alias("reference"),
        OffFrameworkPlacement.lot.code.as_alias("lot_code"),
    ).where(OffFrameworkPlacement.commissioner == commissioner_id)
    rows, next_cursor = await newest_first_page(
        query, OffFrameworkPlacement.id, OffFrameworkPlacement.placed_at, limit, cursor
    )
    return [placement(row, row["reference"]) for row in rows], next_cursor


async def placed_hours(commissioner_id: UUID, since: datetime) -> list[schemas.PlacedHours]:
    """The commissioner's off-framework placements since `since`, each with its weekly hours, lot,
    area and time, for the framework share."""
    query = OffFrameworkPlacement.select(
        OffFrameworkPlacement.commissioner,
        OffFrameworkPlacement.lot.code.as_alias("lot_code"),
        OffFrameworkPlacement.package._.area._.code.as_alias("area_code"),
        OffFrameworkPlacement.weekly_hours,
        OffFrameworkPlacement.placed_at,
    ).where(
        (OffFrameworkPlacement.commissioner == commissioner_id)
        & (OffFrameworkPlacement.placed_at >= since)
    )
    return [
        schemas.PlacedHours(
            commissioner_id=row["commissioner"],
            lot_code=row["lot_code"],
            area_code=row["area_code"],
            weekly_hours=Decimal(row["weekly_hours"]).quantize(TWO_PLACES),
            placed_at=row["placed_at"],
        )
        for row in await query
    ]
