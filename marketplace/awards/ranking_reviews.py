"""The panel's reviews of the provider quality ranking (Dorset: every six months): a review
records its date, members and note and freezes a dated snapshot of the ranking as it stands,
with the weights then in force. The next review is due six calendar months after the last."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from marketplace.audit.service import record
from marketplace.awards import ranking_schemas as shapes
from marketplace.awards.engine.review_cycle import next_review
from marketplace.awards.quality_ranking import ranked_providers
from marketplace.awards.quality_weights import commissioner_of, weights_in_force
from marketplace.awards.schemas import QualityFactor
from marketplace.awards.tables import RankingReview, RankingReviewEntry
from marketplace.config import get_settings
from marketplace.db import write_transaction
from marketplace.errors import FieldError, NotFound, RuleBroken
from marketplace.principal import Principal

TWO_PLACES = Decimal("0.01")
_COLUMNS: list[Any] = [*RankingReview.all_columns(), RankingReview.recorded_by.email.as_alias("by")]


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _members(body: shapes.ReviewCreate) -> list[str]:
    members = [member.strip() for member in body.members]
    errors = [
        FieldError(f"members[{index}]", "is blank") for index, m in enumerate(members) if not m
    ]
    if body.reviewed_on > local_today():
        errors.append(FieldError("reviewed_on", "cannot be in the future"))
    if errors:
        raise RuleBroken(
            "The review is not complete: " + "; ".join(f"{e.field} {e.message}" for e in errors),
            errors,
        )
    return members


async def record_review(actor: Principal, body: shapes.ReviewCreate) -> shapes.Review:
    """Record the panel's review and freeze the ranking as it stands now."""
    commissioner_id = commissioner_of(actor)
    members = _members(body)
    async with write_transaction():
        weights = await weights_in_force(commissioner_id)
        ranking = await ranked_providers(commissioner_id)
        review = RankingReview(
            commissioner=commissioner_id,
            reviewed_on=body.reviewed_on,
            members=msgspec.json.encode(members).decode(),
            note=body.note.strip(),
            weights=msgspec.json.encode(weights.weights).decode(),
            weights_version=weights.version,
            recorded_by=actor.user_id,
            recorded_at=datetime.now(UTC),
        )
        await RankingReview.insert(review)
        if ranking:
            await RankingReviewEntry.insert(
                *[
                    RankingReviewEntry(
                        review=review.id,
                        provider=entry.provider_id,
                        provider_name=entry.name,
                        rank=entry.rank,
                        score=entry.score,
                        factors=msgspec.json.encode(entry.factors).decode(),
                    )
                    for entry in ranking
                ]
            )
        await record(
            actor,
            "record_ranking_review",
            "ranking_review",
            review.id,
            organisation_id=commissioner_id,
            details={
                "reviewed_on": body.reviewed_on,
                "members": members,
                "weights_version": weights.version,
                "ranking": [[entry.rank, entry.provider_id, entry.score] for entry in ranking],
            },
        )
    return await get_review(actor, review.id)


def _summary(row: dict[str, Any], providers: int) -> shapes.ReviewSummary:
    return shapes.ReviewSummary(
        id=row["id"],
        reviewed_on=row["reviewed_on"],
        members=msgspec.json.decode(row["members"]),
        note=row["note"],
        weights_version=row["weights_version"],
        recorded_at=row["recorded_at"],
        recorded_by=row["by"],
        providers=providers,
    )


async def reviews(actor: Principal) -> shapes.Reviews:
    """The commissioner's reviews, latest review date first, and when the next one is due."""
    commissioner_id = commissioner_of(actor)
    rows = (
        await RankingReview.select(*_COLUMNS)
        .where(RankingReview.commissioner == commissioner_id)
        .order_by(RankingReview.reviewed_on, ascending=False)
        .order_by(RankingReview.recorded_at, ascending=False)
    )
    counts: dict[UUID, int] = {}
    if rows:
        for entry in await RankingReviewEntry.select(RankingReviewEntry.review).where(
            RankingReviewEntry.review.is_in([row["id"] for row in rows])
        ):
            counts[entry["review"]] = counts.get(entry["review"], 0) + 1
    due = next_review(rows[0]["reviewed_on"] if rows else None, local_today())
    return shapes.Reviews(
        next_review=shapes.NextReview(due.due_on, due.overdue, due.words),
        items=[_summary(row, counts.get(row["id"], 0)) for row in rows],
    )


async def get_review(actor: Principal, review_id: UUID) -> shapes.Review:
    """One of the commissioner's reviews with its frozen snapshot; anyone else's is not found."""
    commissioner_id = commissioner_of(actor)
    row = (
        await RankingReview.select(*_COLUMNS)
        .where((RankingReview.id == review_id) & (RankingReview.commissioner == commissioner_id))
        .first()
    )
    if row is None:
        raise NotFound("No such ranking review")
    entries = (
        await RankingReviewEntry.select()
        .where(RankingReviewEntry.review == review_id)
        .order_by(RankingReviewEntry.rank)
    )
    return shapes.Review(
        id=row["id"],
        reviewed_on=row["reviewed_on"],
        members=msgspec.json.decode(row["members"]),
        note=row["note"],
        weights_version=row["weights_version"],
        weights=msgspec.json.decode(row["weights"]),
        recorded_at=row["recorded_at"],
        recorded_by=row["by"],
        entries=[
            shapes.ReviewEntry(
                rank=entry["rank"],
                provider_id=entry["provider"],
                name=entry["provider_name"],
                score=Decimal(entry["score"]).quantize(TWO_PLACES),
                factors=msgspec.json.decode(entry["factors"], type=list[QualityFactor]),
            )
            for entry in entries
        ],
    )
