"""Request and response shapes of the waiting list: packages and bundle suggestions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request
from marketplace.reference.postcodes.rules import POSTCODE_PATTERN
from marketplace.reference.schemas import Code
from marketplace.units import BundleHours, WeeklyHours

ServiceLevel = Literal["standard", "complex", "highly_complex"]


Urgency = Literal["standard", "urgent"]


UrgencyReason = Literal["hospital_discharge", "end_of_life", "significant_harm"]


Hours = Annotated[Decimal, msgspec.Meta(description="hours a week, two places")]

# A pseudonymous reference: 2 to 40 letters, digits, /, _ or -, with no spaces (never a name).
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/_-]{1,39}$"


class PackageCreate(Request, kw_only=True):
    reference: Annotated[
        str,
        msgspec.Meta(
            max_length=200,
            pattern=REFERENCE_PATTERN,
            description="a pseudonymous reference (letters, digits, / _ -; 2 to 40 characters), "
            "never a name or an address",
        ),
    ]
    postcode: Annotated[
        str, msgspec.Meta(max_length=20, pattern=POSTCODE_PATTERN, description="a UK postcode")
    ]
    weekly_hours: WeeklyHours
    service_level: ServiceLevel
    urgency: Urgency = "standard"
    urgency_reason: UrgencyReason | None = None
    start_by: date
    area_code: Code


class Package(msgspec.Struct):
    id: UUID
    reference: str
    postcode: str
    rurality: str
    area_code: str
    weekly_hours: Decimal
    service_level: str
    urgency: str
    urgency_reason: str | None
    start_by: date
    status: str
    created_at: datetime
    # When a call-off for it ended without an award (the contingency queue); null otherwise.
    contingency_since: datetime | None = None
    # When its provider last handed it back to the waiting list; null if never.
    handed_back_at: datetime | None = None
    # Its contingency clock: first offered (null until offered, and after an award or hand-back)
    # and why it waits (no_award, cancelled, handed_back, waiting).
    first_offered_at: datetime | None = None
    contingency_reason: str | None = None


class PackagePage(msgspec.Struct):
    items: list[Package]
    next_cursor: str | None


class BundleRequest(Request, kw_only=True):
    area_code: Code | None = None
    # At least 10 metres: a smaller radius underflows the search grid (found by the fuzzing).
    max_radius_km: Annotated[float, msgspec.Meta(ge=0.01, le=200)]
    max_weekly_hours: BundleHours


class BundleSuggestion(msgspec.Struct):
    area_code: str
    package_ids: list[UUID]
    references: list[str]  # in the order of package_ids
    centre: tuple[float, float]  # latitude, longitude
    radius_km: float
    total_weekly_hours: Decimal
    rurality_mix: dict[str, int]
    explanation: str


class UnbundledPackage(msgspec.Struct):
    area_code: str
    package_id: UUID
    reference: str
    reason: Literal["over_hours_limit", "no_partner", "not_in_postcode_directory"]
    explanation: str


class BundleSuggestions(msgspec.Struct):
    items: list[BundleSuggestion]
    unbundled: list[UnbundledPackage]
