"""Request and response shapes of the contingency queue and its settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request
from marketplace.tenders.waiting_list.contingency_rules import MAX_WORKING_DAYS, MIN_WORKING_DAYS
from marketplace.tenders.waiting_list.placement_schemas import Placement

Reason = Literal["no_award", "cancelled", "handed_back", "waiting"]
WorkingDays = Annotated[
    int,
    msgspec.Meta(
        ge=MIN_WORKING_DAYS,
        le=MAX_WORKING_DAYS,
        description="working days, 1 to 30 (England and Wales bank holidays skipped)",
    ),
]


class ContingencySettings(msgspec.Struct):
    urgent_working_days: int
    other_working_days: int


class ContingencySettingsPut(Request, kw_only=True):
    urgent_working_days: WorkingDays
    other_working_days: WorkingDays


class CallOffInHistory(msgspec.Struct):
    """A call-off the package was in, and what became of it."""

    id: UUID
    title: str
    kind: str
    status: str
    published_at: datetime | None
    cancelled_at: datetime | None


class WaitingPackage(msgspec.Struct):
    """A package whose contingency clock runs."""

    package_id: UUID
    reference: str
    area_code: str
    status: str
    urgency: str
    urgency_reason: str | None
    reason: Reason
    first_offered_at: datetime
    working_days: int
    working_days_elapsed: int
    working_days_left: int
    due_on: date
    due_today: bool
    overdue: bool
    call_offs: list[CallOffInHistory]


class ContingencyQueue(msgspec.Struct):
    today: date
    settings: ContingencySettings
    items: list[WaitingPackage]
    # Packages placed off framework, latest first, with any early override reason.
    placements: list[Placement] = msgspec.field(default_factory=list)
