"""Recomputing the provider quality ranking when a record it rests on changes.

The ranking is the awards domain's, above the domains that record what it rests on (a decline in
bids, a quality record, a tender score at admission), so they cannot call it. The composition
root hands the awards domain's recompute in at start-up (marketplace/wiring.py); the recording
domains call `rerank()` inside their own write transaction, so the kept ranking changes with the
record or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from uuid import UUID

# (commissioner, the providers whose records changed; None: all the commissioner ranks)
Reranker = Callable[[UUID, list[UUID] | None], Awaitable[None]]
_reranker: Reranker | None = None


def rerank_with(reranker: Reranker) -> None:
    global _reranker
    _reranker = reranker


async def rerank(commissioner_id: UUID, provider_ids: Iterable[UUID] | None = None) -> None:
    """Recompute and keep these providers' quality ranking with the commissioner (joining the
    caller's transaction)."""
    if _reranker is None:
        raise RuntimeError("No ranking to recompute: call marketplace.wiring.wire() at start-up")
    await _reranker(commissioner_id, None if provider_ids is None else list(provider_ids))
