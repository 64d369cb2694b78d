"""The provider quality ranking as the marketplace records it: each provider's score with a
commissioner, recomputed when it decides something and kept with its factor breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from marketplace.accounts.tables import Organisation
from marketplace.admissions.tables import Admission
from marketplace.awards import schemas
from marketplace.awards.engine.quality import QualityInputs, quality_order_key, quality_score
from marketplace.awards.tables import ProviderQuality
from marketplace.bids.tables import Bid
from marketplace.db import upsert, write_transaction
from marketplace.errors import NotAllowed
from marketplace.principal import Principal
from marketplace.tenders.tables import Invitation

# DESIGN.md: the response rate, hand-backs and late starts look back six months.
LOOK_BACK = timedelta(days=183)


@dataclass(frozen=True)
class Standing:
    """A provider's quality score with a commissioner and its admission to the lot."""

    provider_id: UUID
    name: str
    score: Decimal
    factors: list[schemas.QualityFactor]
    admitted_at: datetime | None


async def _inputs(commissioner_id: UUID, provider_ids: list[UUID]) -> dict[UUID, QualityInputs]:
    since = datetime.now(UTC) - LOOK_BACK
    ratings = {
        row["id"]: row["cqc_rating"]
        for row in await Organisation.select(Organisation.id, Organisation.cqc_rating).where(
            Organisation.id.is_in(provider_ids)
        )
    }
    invited = await Invitation.select(Invitation.provider, Invitation.call_off).where(
        Invitation.provider.is_in(provider_ids)
        & (Invitation.call_off.commissioner == commissioner_id)
        & (Invitation.invited_at >= since)
    )
    bid_rows = await Bid.select(Bid.provider, Bid.call_off).where(
        Bid.provider.is_in(provider_ids)
        & Bid.call_off.is_in([i["call_off"] for i in invited] or [UUID(int=0)])
    )
    invitations = dict.fromkeys(provider_ids, 0)
    for row in invited:
        invitations[row["provider"]] += 1
    bids = dict.fromkeys(provider_ids, 0)
    for row in bid_rows:
        bids[row["provider"]] += 1
    # Hand-backs, late starts and quality-monitoring visits are not recorded yet: their factors
    # stay at their defaults (DESIGN.md) until the marketplace records them.
    return {
        provider_id: QualityInputs(
            cqc_rating=ratings.get(provider_id),
            invitations=invitations[provider_id],
            bids=bids[provider_id],
            hand_backs=0,
            late_starts=0,
            monitoring_score=None,
        )
        for provider_id in provider_ids
    }


async def _admitted_at(
    commissioner_id: UUID, lot_id: UUID | None, provider_ids: list[UUID]
) -> dict[UUID, datetime]:
    query = Admission.select(Admission.provider, Admission.decided_at).where(
        (Admission.commissioner == commissioner_id)
        & (Admission.status == "approved")
        & Admission.provider.is_in(provider_ids)
    )
    if lot_id is not None:
        query = query.where(Admission.lot == lot_id)
    earliest: dict[UUID, datetime] = {}
    for row in await query:
        when = row["decided_at"]
        if when is not None and (
            row["provider"] not in earliest or when < earliest[row["provider"]]
        ):
            earliest[row["provider"]] = when
    return earliest


async def standings_of(
    commissioner_id: UUID, provider_ids: list[UUID], lot_id: UUID | None = None
) -> dict[UUID, Standing]:
    """These providers' quality scores with the commissioner, worked out from what the
    marketplace records now, each with its factor breakdown (reads only)."""
    if not provider_ids:
        return {}
    inputs = await _inputs(commissioner_id, provider_ids)
    admitted = await _admitted_at(commissioner_id, lot_id, provider_ids)
    names = {
        row["id"]: row["name"]
        for row in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in(provider_ids)
        )
    }
    standings = {}
    for provider_id in provider_ids:
        scored = quality_score(inputs[provider_id])
        standings[provider_id] = Standing(
            provider_id,
            names.get(provider_id, ""),
            scored.score,
            [
                schemas.QualityFactor(
                    name=f.name, weight=f.weight, score=f.value, explanation=f.explanation
                )
                for f in scored.factors
            ],
            admitted.get(provider_id),
        )
    return standings


async def rank_providers(
    commissioner_id: UUID, provider_ids: list[UUID], lot_id: UUID | None = None
) -> dict[UUID, Standing]:
    """Recompute these providers' quality scores when they decide something (an evaluation)
    and keep each with its factor breakdown (inside the caller's transaction)."""
    standings = await standings_of(commissioner_id, provider_ids, lot_id)
    now = datetime.now(UTC)
    async with write_transaction():
        for standing in standings.values():
            await upsert(
                ProviderQuality(
                    commissioner=commissioner_id,
                    provider=standing.provider_id,
                    score=standing.score,
                    factors=msgspec.json.encode(standing.factors).decode(),
                    computed_at=now,
                ),
                (ProviderQuality.commissioner, ProviderQuality.provider),
                [ProviderQuality.score, ProviderQuality.factors, ProviderQuality.computed_at],
            )
    return standings


async def provider_ranking(actor: Principal) -> list[schemas.RankedProvider]:
    """The commissioner's admitted providers, best first, each with its factor breakdown."""
    commissioner_id = actor.commissioner_organisation(
        NotAllowed("Only commissioners see the provider quality ranking")
    )
    rows: list[dict[str, Any]] = await Admission.select(Admission.provider).where(
        (Admission.commissioner == commissioner_id) & (Admission.status == "approved")
    )
    provider_ids = sorted({row["provider"] for row in rows}, key=str)
    standings = await standings_of(commissioner_id, provider_ids)
    ordered = sorted(
        standings.values(),
        key=lambda s: quality_order_key(s.score, s.admitted_at, s.provider_id),
    )
    return [
        schemas.RankedProvider(
            rank=position,
            provider_id=s.provider_id,
            name=s.name,
            score=s.score,
            admitted_at=s.admitted_at,
            factors=s.factors,
        )
        for position, s in enumerate(ordered, start=1)
    ]
