"""Request and response shapes of care after the award (docs/api.md; the bodies in /api/docs)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import NOT_BLANK, Request
from marketplace.units import WeeklyHours

Status = Literal["awaiting_start", "active", "ended", "handed_back"]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=NOT_BLANK)]
Hours = Annotated[Decimal, msgspec.Meta(description="hours a week, two places")]


class StartRecord(Request):
    actual_start: date


class StartCorrection(Request):
    actual_start: date
    reason: Reason


class VariationCreate(Request):
    weekly_hours: WeeklyHours
    effective_from: date
    reason: Reason


class VariationDecision(Request):
    decision: Literal["approve", "refuse"]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class HandBack(Request):
    reason: Reason
    last_care_date: date


class CareEnd(Request):
    reason: Reason
    last_care_date: date


class OutcomeMet(Request):
    outcome: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    met: bool


class EnablementOutcomes(Request):
    outcomes: Annotated[list[OutcomeMet], msgspec.Meta(min_length=1, max_length=20)]


class Variation(msgspec.Struct):
    id: UUID
    previous_weekly_hours: Hours
    weekly_hours: Hours
    effective_from: date
    reason: str
    # applied (within the tolerance) | requested | approved | refused
    status: str
    # The move from the hours awarded it would make, and whether that is within +/- 5.00.
    tolerance_used: Hours
    within_tolerance: bool
    recorded_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


class Outcome(msgspec.Struct):
    outcome: str
    met: bool | None


class Enablement(msgspec.Struct):
    budget_pence: int
    weeks: int
    outcomes: list[Outcome]
    # The last day of the enablement period (known once the care has started).
    ends_on: date | None
    # met | failed, once recorded; the budget is payable only when met.
    result: str | None
    budget_payable: bool
    recorded_at: datetime | None


class TimelineEntry(msgspec.Struct):
    occurred_at: datetime
    action: str
    party: str
    sentence: str


class CareItem(msgspec.Struct):
    id: UUID
    status: str
    kind: str
    call_off_id: UUID
    call_off_title: str
    package_id: UUID | None
    package_reference: str | None
    area_code: str
    provider_id: UUID
    provider_name: str
    commissioner_id: UUID
    hourly_rate_pence: int
    awarded_weekly_hours: Hours
    weekly_hours: Hours
    promised_mobilisation_date: date | None
    actual_start: date | None
    late_start: bool
    awarded_at: datetime
    handed_back_at: datetime | None
    ended_at: datetime | None


class Care(CareItem, kw_only=True):
    tolerance_used: Hours
    tolerance_left: Hours
    end_reason: str | None
    last_care_date: date | None
    enablement: Enablement | None
    variations: list[Variation]
    timeline: list[TimelineEntry]


class CarePage(msgspec.Struct):
    items: list[CareItem]
    next_cursor: str | None


class PackageTolerance(msgspec.Struct):
    care_id: UUID
    package_reference: str | None
    area_code: str
    provider_id: UUID
    provider_name: str
    status: str
    awarded_weekly_hours: Hours
    weekly_hours: Hours
    tolerance_used: Hours
    tolerance_left: Hours
    variations_applied: int
    requests_pending: int


class ProviderTolerance(msgspec.Struct):
    provider_id: UUID
    provider_name: str
    care_records: int
    # Care records whose hours have moved from those awarded, and how many hours in all.
    records_varied: int
    hours_varied: Hours
    variations_applied: int
    requests: int
    requests_pending: int


class ToleranceUse(msgspec.Struct):
    tolerance_hours: Hours
    packages: list[PackageTolerance]
    providers: list[ProviderTolerance]
