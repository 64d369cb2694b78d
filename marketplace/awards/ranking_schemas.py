"""Request and response shapes of the quality ranking's configuration and reviews (docs/api.md):
a commissioner's weights, versioned, and the panel's reviews with their frozen snapshots."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.accounts.schemas import Request
from marketplace.awards.schemas import QualityFactor

Weight = Annotated[int, msgspec.Meta(ge=0, le=100)]


class Weights(Request):
    """A weight, 0 to 100, for every factor of the ranking (docs/design.md 4.8); together they
    add up to 100."""

    cqc_rating: Weight
    response_rate: Weight
    hand_backs: Weight
    late_starts: Weight
    quality_monitoring: Weight
    tender_score: Weight
    turn_downs: Weight
    safeguarding: Weight
    complaints: Weight
    compliments: Weight


class QualityWeightsPut(Request):
    """PUT /quality-weights: the new weights (a new version), with an optional note of why."""

    weights: Weights
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class WeightsVersion(msgspec.Struct):
    """One version of the weights: version 0 is the defaults, in force until the first change."""

    version: int
    weights: dict[str, int]
    changed_at: datetime | None
    changed_by: str | None
    note: str | None


class QualityWeightsView(msgspec.Struct):
    in_force: WeightsVersion
    defaults: dict[str, int]
    history: list[WeightsVersion]  # newest first, the one in force included


class ReviewCreate(Request):
    """POST /providers/ranking/reviews: the panel's review, which freezes the ranking as it
    stands now."""

    reviewed_on: date
    members: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=200)]],
        msgspec.Meta(min_length=1, max_length=20),
    ]
    note: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class NextReview(msgspec.Struct):
    """Six calendar months after the last review; with none yet, due now (`due_on` null)."""

    due_on: date | None
    overdue: bool
    words: str


class ReviewEntry(msgspec.Struct):
    rank: int
    provider_id: UUID
    name: str
    score: Decimal
    factors: list[QualityFactor]


class ReviewSummary(msgspec.Struct):
    id: UUID
    reviewed_on: date
    members: list[str]
    note: str
    weights_version: int
    recorded_at: datetime
    recorded_by: str
    providers: int


class Review(msgspec.Struct):
    id: UUID
    reviewed_on: date
    members: list[str]
    note: str
    weights_version: int
    weights: dict[str, int]
    recorded_at: datetime
    recorded_by: str
    entries: list[ReviewEntry]


class Reviews(msgspec.Struct):
    next_review: NextReview
    items: list[ReviewSummary]  # newest review first
