"""Request and response shapes of the admissions and blocks API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from marketplace.accounts.schemas import Request

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Reason = Annotated[str, msgspec.Meta(max_length=2000)]


class AdmissionCreate(Request):
    """`accepts_maximum_prices` must be true: the provider accepts the lot's maximum prices,
    night rates included (docs/design.md 2); the acceptance is recorded with its date."""

    lot_code: Code
    area_codes: Annotated[list[Code], msgspec.Meta(min_length=1, max_length=100)]
    accepts_maximum_prices: bool = False


class AdmissionDecision(Request):
    """`tender_score`: the provider's tender evaluation score (0 to 100), recorded when approving
    (optional here, so that clients written before it keep working; a factor of the quality
    ranking, "no records yet" without it)."""

    decision: Literal["approve", "reject"]
    reason: Reason | None = None
    tender_score: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None


class AdmissionArea(msgspec.Struct):
    id: UUID
    code: str
    name: str


class EvidenceDocument(msgspec.Struct):
    id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime


class Admission(msgspec.Struct):
    id: UUID
    provider_id: UUID
    provider_name: str
    lot_code: str
    commissioner_id: UUID
    areas: list[AdmissionArea]
    status: str
    applied_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    tender_score: int | None
    # When the provider accepted the lot's maximum prices, night rates included.
    maximum_prices_accepted_at: datetime | None
    # Working days waited, the application day counting (to the decision once decided).
    waited_working_days: int
    # The 10th working day from the application day (Europe/London), that day counting.
    decision_due_on: date
    # Decided after decision_due_on, or still undecided after it.
    overdue: bool
    documents: list[EvidenceDocument]
    lot_name: str = ""
    commissioner_name: str = ""


class AdmissionPage(msgspec.Struct):
    items: list[Admission]
    next_cursor: str | None


@dataclass
class EvidenceUpload:
    """The multipart form of POST /admissions/{id}/documents."""

    file: UploadFile


class BlockCreate(Request):
    provider_id: UUID
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Unblock(Request):
    reason: Reason | None = None


class Block(msgspec.Struct):
    id: UUID
    commissioner_id: UUID
    provider_id: UUID
    provider_name: str
    reason: str
    blocked_at: datetime
    unblocked_at: datetime | None
    unblock_reason: str | None
    active: bool


class BlockPage(msgspec.Struct):
    items: list[Block]
    next_cursor: str | None


class BarLift(Request):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class EnablementBar(msgspec.Struct):
    id: UUID
    commissioner_id: UUID
    provider_id: UUID
    provider_name: str
    # How many enablements failed within how many months when the bar was made.
    failures: int
    months: int
    # The gate's sentence (code enablement_barred).
    reason: str
    barred_at: datetime
    lifted_at: datetime | None
    lift_reason: str | None
    active: bool


class EnablementBarPage(msgspec.Struct):
    items: list[EnablementBar]
    next_cursor: str | None
