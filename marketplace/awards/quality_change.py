"""Why a bid's provider quality score at award differs from the one its evaluation decided with:
the quality records added or withdrawn between the two, a change of weights, and the factors
that moved (docs/design.md 4.4). Nothing is rewritten silently: the page shows both scores and
this sentence."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from marketplace.awards.engine.phrases import long_date
from marketplace.awards.tables import QualityWeights
from marketplace.awards.words import FACTOR_WORDS
from marketplace.config import get_settings
from marketplace.quality.queries import RecordChange, record_changes
from marketplace.quality.rules import RECORD_KINDS

Pair = tuple[UUID, str | None]


def _day(at: datetime) -> str:
    return long_date(at.astimezone(ZoneInfo(get_settings().timezone)).date())


def _record_words(change: RecordChange) -> str:
    kind = RECORD_KINDS.get(change.kind, change.kind).lower()
    return f"a quality record ({kind}) was {change.change} on {_day(change.at)}"


def _factor_moves(before: str | None, after: str | None) -> list[str]:
    """'Safeguarding 100.00 to 50.00' for each factor whose score moved."""
    if not before or not after:
        return []
    was = {f["name"]: Decimal(str(f["score"])) for f in msgspec.json.decode(before)}
    now = {f["name"]: Decimal(str(f["score"])) for f in msgspec.json.decode(after)}
    return [
        f"{FACTOR_WORDS.get(name, name)} {was[name]:.2f} to {score:.2f}"
        for name, score in now.items()
        if name in was and was[name] != score
    ]


def change_sentence(evaluated: str, at_award: str, reasons: list[str], moves: list[str]) -> str:
    """'Quality score at evaluation 82.50, at award 72.50: a quality record (...) was added on
    20 November 2026 (Safeguarding 100.00 to 50.00)'."""
    why = "; ".join(reasons) or "the records the ranking rests on changed since the evaluation"
    moved = f" ({', '.join(moves)})" if moves else ""
    return f"Quality score at evaluation {evaluated}, at award {at_award}: {why}{moved}"


async def quality_changes(
    commissioner_id: UUID,
    evaluated_at: datetime,
    reranked_at: datetime | None,
    rows: list[dict[str, Any]],
) -> dict[Pair, str]:
    """For each assessment whose quality score at award differs from the one at evaluation, the
    sentence saying both and why."""
    if reranked_at is None:
        return {}
    changed = [
        row
        for row in rows
        if row["evaluated_quality_score"] is not None
        and row["figures"].get("quality_score") is not None
        and row["evaluated_quality_score"] != row["figures"]["quality_score"]
    ]
    if not changed:
        return {}
    records = await record_changes(
        commissioner_id, {row["provider"] for row in changed}, evaluated_at, reranked_at
    )
    weights = await QualityWeights.select(QualityWeights.changed_at).where(
        (QualityWeights.commissioner == commissioner_id)
        & (QualityWeights.changed_at > evaluated_at)
        & (QualityWeights.changed_at <= reranked_at)
    )
    weight_words = [f"the quality weights were changed on {_day(w['changed_at'])}" for w in weights]
    return {
        (row["bid_id"], row["area_code"]): change_sentence(
            row["evaluated_quality_score"],
            row["figures"]["quality_score"],
            [_record_words(r) for r in records if r.provider_id == row["provider"]] + weight_words,
            _factor_moves(row["evaluated_quality"], row["quality"]),
        )
        for row in changed
    }
