"""Request and response shapes of quality records (docs/api.md; the bodies are in the OpenAPI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from marketplace.accounts.schemas import Request

RecordKind = Literal["monitoring_visit", "safeguarding_concern", "upheld_complaint", "compliment"]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class QualityRecordCreate(Request, kw_only=True):
    """POST /quality-records: one event about a provider you have admitted; `score` (0 to 100)
    for a monitoring visit only."""

    provider_id: UUID
    kind: RecordKind
    occurred_on: date
    score: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    summary: Summary


class QualityRecordWithdrawal(Request):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ReportDocument(msgspec.Struct):
    id: UUID
    filename: str
    sha256: str


class QualityRecord(msgspec.Struct):
    id: UUID
    commissioner_id: UUID
    commissioner_name: str
    provider_id: UUID
    provider_name: str
    kind: str
    kind_words: str
    occurred_on: date
    score: int | None
    summary: str
    report: ReportDocument | None
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class QualityRecordPage(msgspec.Struct):
    items: list[QualityRecord]
    next_cursor: str | None


@dataclass
class ReportUpload:
    """The multipart form of POST /quality-records/{id}/report."""

    file: UploadFile
