"""A commissioner's weights for the provider quality ranking: the defaults until the first
change, then versioned (every change is a new row with who and when; the latest is in force).
A change recomputes the commissioner's kept ranking in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.accounts.queries import organisation_kind
from marketplace.audit.service import record
from marketplace.awards.engine.quality import DEFAULT_QUALITY_WEIGHTS, QUALITY_FACTORS
from marketplace.awards.ranking_schemas import QualityWeightsPut, QualityWeightsView, WeightsVersion
from marketplace.awards.tables import QualityWeights
from marketplace.db import write_transaction
from marketplace.errors import FieldError, NotAllowed, RuleBroken
from marketplace.principal import Principal
from marketplace.reranking import rerank

WEIGHTS_TOTAL = 100
DEFAULTS = WeightsVersion(
    version=0, weights=dict(DEFAULT_QUALITY_WEIGHTS), changed_at=None, changed_by=None, note=None
)
_COLUMNS: list[Any] = [
    *QualityWeights.all_columns(),
    QualityWeights.changed_by.email.as_alias("by"),
]


def commissioner_of(actor: Principal) -> UUID:
    return actor.commissioner_organisation(
        NotAllowed("Only a commissioner's staff see and set the quality ranking")
    )


def _version(row: dict[str, Any]) -> WeightsVersion:
    return WeightsVersion(
        version=row["version"],
        weights=msgspec.json.decode(row["weights"]),
        changed_at=row["changed_at"],
        changed_by=row["by"],
        note=row["note"],
    )


async def weights_in_force(commissioner_id: UUID) -> WeightsVersion:
    """The commissioner's latest weights, or the defaults (version 0) if never changed."""
    row = (
        await QualityWeights.select(*_COLUMNS)
        .where(QualityWeights.commissioner == commissioner_id)
        .order_by(QualityWeights.version, ascending=False)
        .first()
    )
    return DEFAULTS if row is None else _version(row)


async def quality_weights(actor: Principal) -> QualityWeightsView:
    """The weights in force, the defaults, and every version, newest first."""
    commissioner_id = commissioner_of(actor)
    rows = (
        await QualityWeights.select(*_COLUMNS)
        .where(QualityWeights.commissioner == commissioner_id)
        .order_by(QualityWeights.version, ascending=False)
    )
    history = [_version(row) for row in rows]
    return QualityWeightsView(
        in_force=history[0] if history else DEFAULTS,
        defaults=dict(DEFAULT_QUALITY_WEIGHTS),
        history=history,
    )


def weights_errors(weights: dict[str, int]) -> list[FieldError]:
    """The weights add up to 100 (each is 0 to 100, by the request's shape)."""
    total = sum(weights.values())
    if total != WEIGHTS_TOTAL:
        return [
            FieldError(
                "weights", f"The weights add up to {total}: they must add up to {WEIGHTS_TOTAL}"
            )
        ]
    return []


async def put_weights(actor: Principal, body: QualityWeightsPut) -> QualityWeightsView:
    """A new version of the commissioner's weights, in force at once; the kept ranking of every
    provider the commissioner ranks is recomputed with it."""
    commissioner_id = commissioner_of(actor)
    weights = {name: getattr(body.weights, name) for name in QUALITY_FACTORS}
    errors = weights_errors(weights)
    if errors:
        raise RuleBroken(f"The weights {errors[0].message}", errors)
    note = (body.note or "").strip() or None
    async with write_transaction():
        # The commissioner's own row, locked: two changes at once are numbered one after the other.
        await organisation_kind(commissioner_id, lock=True)
        version = (await weights_in_force(commissioner_id)).version + 1
        await QualityWeights.insert(
            QualityWeights(
                commissioner=commissioner_id,
                version=version,
                weights=msgspec.json.encode(weights).decode(),
                note=note,
                changed_by=actor.user_id,
                changed_at=datetime.now(UTC),
            )
        )
        await record(
            actor,
            "change_quality_weights",
            "quality_weights",
            commissioner_id,
            organisation_id=commissioner_id,
            details={"version": version, "weights": weights, "note": note},
        )
        await rerank(commissioner_id)
    return await quality_weights(actor)
