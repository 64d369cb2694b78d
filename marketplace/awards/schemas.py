"""Request and response shapes of evaluation and award (docs/api.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request

Score = Annotated[int, msgspec.Meta(ge=0, le=100)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class QualityFactor(msgspec.Struct):
    """One factor of a provider's quality ranking score; `recorded` is false when there are no
    records yet and the factor scores its neutral value (docs/design.md 4.8)."""

    name: str
    weight: int
    score: Decimal
    explanation: str
    recorded: bool = True


class RankedProvider(msgspec.Struct):
    rank: int
    provider_id: UUID
    name: str
    score: Decimal
    admitted_at: datetime | None
    factors: list[QualityFactor]


class EvaluationItem(msgspec.Struct):
    bid_id: UUID
    provider_id: UUID
    provider_name: str
    area_code: str | None
    rank: int | None
    compliant: bool
    winner: bool
    flags: list[str]
    # Every failed gate's sentence and, in the same order, its stable code (above_max_rate,
    # outside_envelope, cqc_inadequate...): match on the codes, never on the wording.
    exclusions: list[str]
    exclusion_codes: list[str]
    figures: dict[str, Any]
    reason: str
    quality: list[QualityFactor] = []
    # The provider quality score the evaluation decided with; when the award re-computed the
    # ranking with another score, `quality_change` says both and why (figures hold the new one).
    evaluated_quality_score: str | None = None
    quality_change: str | None = None


class EvaluationView(msgspec.Struct):
    status: str
    kind: str
    evaluated_at: datetime
    complete: bool
    compliant_bids: int
    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    total_weekly_hours: Decimal
    items: list[EvaluationItem]
    # When confirming the award last re-computed the ranking (the evaluated time is kept).
    reranked_at: datetime | None = None


class PilotScores(Request):
    """PUT /call-offs/{id}/scores: one evaluator's scores for a pilot bid in one area."""

    bid_id: UUID
    area_code: str
    scores: dict[str, Score]


class AreaChoice(Request):
    area_code: str
    bid_id: UUID


class AwardConfirmation(Request, kw_only=True):
    """POST /call-offs/{id}/award: confirm the computed award, or depart from it with a reason
    (`bid_ids` for enablement and cluster, `areas` for a pilot)."""

    bid_ids: list[UUID] | None = None
    areas: list[AreaChoice] | None = None
    reason: Reason | None = None
    abnormally_low_checked: bool = False


class AwardedLine(msgspec.Struct):
    bid_id: UUID
    provider_id: UUID
    provider_name: str
    area_code: str | None
    hourly_rate_pence: int
    mobilisation_date: date | None


class AwardView(msgspec.Struct):
    status: str
    confirmed_at: datetime
    standstill_ends_at: datetime
    concluded_at: datetime | None
    departed: bool
    reason: str | None
    report_document_id: UUID | None
    report_sha256: str | None
    awards: list[AwardedLine]
    # Held: a winner fails a provider gate again, so the award does not conclude until it passes
    # (docs/design.md 4.13).
    held_at: datetime | None = None
    held_reason: str | None = None


class AreaOutcome(msgspec.Struct):
    area_code: str | None
    outcome: str
    rank: int | None
    your_figures: dict[str, Any]
    winning_figures: dict[str, Any] | None
    reason: str


class ProviderOutcome(msgspec.Struct):
    """A provider's own outcome and assessment summary (for a pilot, one line per area)."""

    status: str
    outcome: str  # awarded | unsuccessful | excluded | pending
    rank: int | None
    your_figures: dict[str, Any]
    winning_figures: dict[str, Any] | None
    reason: str
    standstill_ends_at: datetime | None
    areas: list[AreaOutcome] = []
