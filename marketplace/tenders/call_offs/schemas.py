"""Request and response shapes of call-offs (docs/api.md; the OpenAPI at /api/docs has the bodies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from marketplace.accounts.schemas import Request
from marketplace.units import PilotAreaHours

Kind = Literal["enablement", "cluster", "pilot"]
# framework: admitted to the lot in the call-off's areas; wider: admitted to the lot, any area.
Sourcing = Literal["framework", "wider"]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Pence = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class EnablementTerms(Request):
    budget_pence: Pence
    weeks: Annotated[int, msgspec.Meta(ge=1, le=6)]
    outcomes: Annotated[list[Text], msgspec.Meta(min_length=1, max_length=20)]


class ClusterTerms(Request):
    latest_start: date


class PilotArea(Request):
    area_code: str
    # Text, like every other hours field: "200.00" (the pattern says two places, 0.25 to 200).
    weekly_hours: PilotAreaHours


class PilotQuestion(Request):
    id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
    text: Text
    weight: Annotated[int, msgspec.Meta(ge=1, le=100)]


class PilotTerms(Request):
    areas: Annotated[list[PilotArea], msgspec.Meta(min_length=1, max_length=3)]
    questions: Annotated[list[PilotQuestion], msgspec.Meta(min_length=1, max_length=20)]
    quality_weight: Annotated[int, msgspec.Meta(ge=0, le=100)]
    price_weight: Annotated[int, msgspec.Meta(ge=0, le=100)]
    min_quality_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    max_areas_per_provider: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1


class CallOffCreate(Request):
    kind: Kind
    title: Title
    lot_code: str
    deadline: datetime
    area_codes: list[str] = []
    package_ids: list[UUID] = []
    max_hourly_rate_pence: Pence | None = None
    envelope_base_rate_pence: Pence | None = None
    envelope_weekly_pence: Pence | None = None
    opening_quorum: Literal[1, 2] = 1
    standstill_working_days: Annotated[int, msgspec.Meta(ge=0, le=30)] = 8
    min_bids: Annotated[int, msgspec.Meta(ge=1, le=20)] = 1
    sourcing: Sourcing = "framework"
    # A wider call-off's chosen invitees: providers admitted to the lot (any area) and guest
    # suppliers this commissioner registered; without it, every admitted provider.
    invitee_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)] | None = None
    enablement: EnablementTerms | None = None
    cluster: ClusterTerms | None = None
    pilot: PilotTerms | None = None


class DeadlineChange(Request):
    deadline: datetime


class Cancellation(Request):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class EnvelopeLine(msgspec.Struct):
    package_id: str
    rurality: str
    weight: Decimal
    weighted_rate_pence: int
    weekly_hours: Decimal
    weekly_pence: int


class EnvelopeWorkings(msgspec.Struct):
    base_rate_pence: int
    computed_weekly_pence: int
    explicit_weekly_pence: int | None
    weekly_pence: int
    total_weekly_hours: Decimal
    lines: list[EnvelopeLine]


class CallOffDocument(msgspec.Struct):
    id: UUID
    filename: str


class DeclineReason(msgspec.Struct):
    reason: str
    words: str
    count: int


class Declines(msgspec.Struct):
    """The invitees' turn-downs of a call-off: how many, and why (never who)."""

    count: int
    reasons: list[DeclineReason]
    other_texts: list[str]


class CallOff(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    status: str
    lot_code: str
    area_codes: list[str]
    deadline: datetime
    max_hourly_rate_pence: int
    envelope_base_rate_pence: int
    envelope_weekly_pence: int | None
    opening_quorum: int
    standstill_working_days: int
    min_bids: int
    package_ids: list[UUID]
    total_weekly_hours: Decimal
    rurality_mix: dict[str, int]
    envelope: EnvelopeWorkings | None
    enablement: EnablementTerms | None
    cluster: ClusterTerms | None
    pilot: PilotTerms | None
    documents: list[CallOffDocument]
    invited_provider_count: int
    bid_count: int
    created_at: datetime
    published_at: datetime | None
    cancel_reason: str | None
    declines: Declines
    # The lot's rule: only one provider may have care in place in an area (docs/design.md 4.16).
    one_provider_per_area: bool = False
    # Who publication invites (docs/design.md 3.5): framework or wider.
    sourcing: str = "framework"
    cancelled_at: datetime | None = None
    # A wider call-off's chosen invitees (providers and guest suppliers); null: every admitted
    # provider.
    invitee_ids: list[UUID] | None = None


# The two pages of GET /call-offs are told apart by `view` (a tagged union: one `oneOf` branch
# matches, even for an empty page).
class CallOffPage(msgspec.Struct, tag_field="view", tag="call_offs"):
    items: list[CallOff]
    next_cursor: str | None


class Opportunity(msgspec.Struct):
    """A call-off as an invited provider sees it: no package references, no postcodes."""

    id: UUID
    kind: str
    title: str
    status: str
    lot_code: str
    area_codes: list[str]
    your_area_codes: list[str]
    deadline: datetime
    seconds_left: int
    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    package_count: int
    total_weekly_hours: Decimal
    rurality_mix: dict[str, int]
    service_levels: dict[str, int]
    enablement: EnablementTerms | None
    cluster: ClusterTerms | None
    pilot: PilotTerms | None
    documents: list[CallOffDocument]
    one_provider_per_area: bool = False
    cancelled_at: datetime | None = None


class OpportunityPage(msgspec.Struct, tag_field="view", tag="opportunities"):
    items: list[Opportunity]
    next_cursor: str | None


@dataclass
class CallOffDocumentUpload:
    """The multipart form of POST /call-offs/{id}/documents: the file, readable by invitees."""

    file: UploadFile
