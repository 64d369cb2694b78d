"""The provider quality ranking as the marketplace records it: each provider's score with a
commissioner, recomputed when it decides something and kept with its factor breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec

from marketplace.accounts.queries import organisation_names, standing_of
from marketplace.admissions.queries import admitted_providers
from marketplace.awards import schemas
from marketplace.awards.engine.quality import QualityInputs, quality_order_key, quality_score
from marketplace.awards.tables import ProviderQuality
from marketplace.bids.queries import bids_made
from marketplace.db import upsert, write_transaction
from marketplace.errors import NotAllowed
from marketplace.principal import Principal
from marketplace.tenders.call_offs.queries import invitations_since

# docs/design.md 4.8: the response rate, hand-backs and late starts look back six months.
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
    standing = await standing_of(provider_ids)
    invited = await invitations_since(commissioner_id, provider_ids, since)
    made = await bids_made(provider_ids, {call_off for _, call_off in invited})
    invitations = dict.fromkeys(provider_ids, 0)
    for provider, _ in invited:
        invitations[provider] += 1
    bids = dict.fromkeys(provider_ids, 0)
    for provider, _ in made:
        bids[provider] += 1
    # Hand-backs, late starts and quality-monitoring visits are not recorded yet: their factors
    # stay at their defaults (docs/design.md, 4.8) until the marketplace records them.
    return {
        provider_id: QualityInputs(
            cqc_rating=standing[provider_id].cqc_rating if provider_id in standing else None,
            invitations=invitations[provider_id],
            responses=bids[provider_id],
        )
        for provider_id in provider_ids
    }


async def standings_of(
    commissioner_id: UUID, provider_ids: list[UUID], lot_id: UUID | None = None
) -> dict[UUID, Standing]:
    """These providers' quality scores with the commissioner, worked out from what the
    marketplace records now, each with its factor breakdown (reads only)."""
    if not provider_ids:
        return {}
    inputs = await _inputs(commissioner_id, provider_ids)
    admitted = await admitted_providers(commissioner_id, lot_id, provider_ids)
    names = await organisation_names(provider_ids)
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
