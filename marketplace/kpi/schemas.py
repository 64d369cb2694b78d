"""The API shapes of KPI returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec


class Answer(msgspec.Struct):
    reference: str
    measure: str
    kind: str
    reasons_required: bool
    prefilled_value: str | None
    prefilled_reasons: str | None
    value: str | None
    reasons: str | None
    corrected: bool


class KpiReturn(msgspec.Struct):
    id: UUID
    commissioner_id: UUID
    commissioner_name: str
    provider_id: UUID
    provider_name: str
    lot_id: UUID
    year: int
    quarter: int
    quarter_label: str
    due_on: date
    status: str
    submitted_at: datetime | None
    document_id: UUID | None
    sha256: str | None
    answers: list[Answer]


class KpiReturnSummary(msgspec.Struct):
    id: UUID
    commissioner_name: str
    provider_id: UUID
    provider_name: str
    lot_code: str
    lot_name: str
    year: int
    quarter: int
    due_on: date
    status: str
    overdue: bool
    submitted_at: datetime | None


class AnswerRow(msgspec.Struct):
    """One measure of one return, as the KPI returns export lists it."""

    return_id: UUID
    provider_name: str
    lot_name: str
    quarter: str  # 2026-Q3
    due_on: date
    status: str  # open | overdue | submitted
    reference: str
    measure: str
    kind: str
    prefilled_value: str | None
    prefilled_reasons: str | None
    value: str | None
    reasons: str | None
    corrected: bool
    submitted_at: datetime | None
    sha256: str | None


class AnswerPut(msgspec.Struct, forbid_unknown_fields=True):
    reference: Annotated[str, msgspec.Meta(max_length=16)]
    value: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    reasons: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class AnswersPut(msgspec.Struct, forbid_unknown_fields=True):
    answers: Annotated[list[AnswerPut], msgspec.Meta(max_length=50)]
