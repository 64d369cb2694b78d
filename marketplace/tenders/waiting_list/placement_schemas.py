"""Request and response shapes of off-framework placements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import NOT_BLANK, Request
from marketplace.reference.schemas import Code
from marketplace.units import WeeklyHours


class PlacementCreate(Request, kw_only=True):
    lot_code: Code
    supplier_name: Annotated[
        str, msgspec.Meta(max_length=200, pattern=NOT_BLANK, description="the provider")
    ]
    hourly_rate_pence: Annotated[
        int, msgspec.Meta(ge=1, le=100_000, description="the agreed hourly rate, pence")
    ]
    weekly_hours: WeeklyHours
    start_date: date
    reason: Annotated[
        str, msgspec.Meta(max_length=2000, pattern=NOT_BLANK, description="why off framework")
    ]
    override_reason: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=2000,
                description="required when the contingency clock is not due yet (an early "
                "placement); recorded and audited",
            ),
        ]
        | None
    ) = None


class Placement(msgspec.Struct):
    id: UUID
    package_id: UUID
    reference: str
    lot_code: str
    supplier_name: str
    hourly_rate_pence: int
    weekly_hours: Decimal
    start_date: date
    reason: str
    # Set when placed before the clock was due: the recorded override reason.
    early_override_reason: str | None
    placed_at: datetime


class PlacedHours(msgspec.Struct):
    """An off-framework placement's weekly hours, as the framework share reads them."""

    commissioner_id: UUID
    lot_code: str
    area_code: str
    weekly_hours: Decimal
    placed_at: datetime
