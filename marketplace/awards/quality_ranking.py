"""The provider quality ranking as the marketplace records it: each provider's score with a
commissioner under the commissioner's weights in force, worked out from recorded events only
(`quality_inputs.py`), recomputed and kept with its factor breakdown whenever it decides something
(an evaluation) or a record it rests on changes (`rerank_providers`, wired to
`marketplace.reranking`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from marketplace.accounts.queries import organisation_names
from marketplace.admissions.queries import admitted_providers
from marketplace.awards import schemas
from marketplace.awards.engine.quality import quality_order_key, quality_score
from marketplace.awards.quality_inputs import quality_inputs
from marketplace.awards.quality_weights import commissioner_of, weights_in_force
from marketplace.awards.tables import ProviderQuality
from marketplace.db import upsert_all, write_transaction
from marketplace.principal import Principal


@dataclass(frozen=True)
class Standing:
    """A provider's quality score with a commissioner and its admission to the lot."""

    provider_id: UUID
    name: str
    score: Decimal
    factors: list[schemas.QualityFactor]
    admitted_at: datetime | None


async def standings_of(
    commissioner_id: UUID, provider_ids: list[UUID], lot_id: UUID | None = None
) -> dict[UUID, Standing]:
    """These providers' quality scores with the commissioner, worked out from what the
    marketplace records now with the weights in force, each with its factor breakdown (reads
    only)."""
    if not provider_ids:
        return {}
    inputs = await quality_inputs(commissioner_id, provider_ids, datetime.now(UTC))
    weights = (await weights_in_force(commissioner_id)).weights
    admitted = await admitted_providers(commissioner_id, lot_id, provider_ids)
    names = await organisation_names(provider_ids)
    standings = {}
    for provider_id in provider_ids:
        scored = quality_score(inputs[provider_id], weights)
        standings[provider_id] = Standing(
            provider_id,
            names.get(provider_id, ""),
            scored.score,
            [
                schemas.QualityFactor(
                    name=f.name,
                    weight=f.weight,
                    score=f.value,
                    explanation=f.explanation,
                    recorded=f.recorded,
                )
                for f in scored.factors
            ],
            admitted.get(provider_id),
        )
    return standings


async def rank_providers(
    commissioner_id: UUID, provider_ids: list[UUID], lot_id: UUID | None = None
) -> dict[UUID, Standing]:
    """Recompute these providers' quality scores and keep each with its factor breakdown
    (inside the caller's transaction)."""
    standings = await standings_of(commissioner_id, provider_ids, lot_id)
    now = datetime.now(UTC)
    async with write_transaction():
        await upsert_all(
            [
                ProviderQuality(
                    commissioner=commissioner_id,
                    provider=standing.provider_id,
                    score=standing.score,
                    factors=msgspec.json.encode(standing.factors).decode(),
                    computed_at=now,
                )
                for standing in standings.values()
            ],
            (ProviderQuality.commissioner, ProviderQuality.provider),
            [ProviderQuality.score, ProviderQuality.factors, ProviderQuality.computed_at],
        )
    return standings


async def rerank_providers(commissioner_id: UUID, provider_ids: list[UUID] | None) -> None:
    """A record the ranking rests on changed: recompute and keep these providers' ranking with
    the commissioner (None: every provider it admitted or already ranked)."""
    if provider_ids is None:
        kept = await ProviderQuality.select(ProviderQuality.provider).where(
            ProviderQuality.commissioner == commissioner_id
        )
        admitted = await admitted_providers(commissioner_id)
        provider_ids = sorted({row["provider"] for row in kept} | set(admitted), key=str)
    await rank_providers(commissioner_id, provider_ids)


async def ranked_providers(commissioner_id: UUID) -> list[schemas.RankedProvider]:
    """The commissioner's admitted providers, best first, each with its factor breakdown."""
    provider_ids = sorted(await admitted_providers(commissioner_id), key=str)
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


async def provider_ranking(actor: Principal) -> list[schemas.RankedProvider]:
    """The commissioner's ranking, for its staff."""
    return await ranked_providers(commissioner_of(actor))
