"""What other domains may read of bids (never the sealed content) and of declines: these
functions, not the tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from marketplace.bids.rules import DECLINE_REASONS
from marketplace.bids.tables import Bid, Decline


async def bid_counts(call_off_ids: list[UUID]) -> dict[UUID, int]:
    """How many live bids each call-off has: the only thing a commissioner sees before opening."""
    if not call_off_ids:
        return {}
    rows = await Bid.select(Bid.call_off).where(
        Bid.call_off.is_in(call_off_ids) & (Bid.status == "submitted")
    )
    counts = dict.fromkeys(call_off_ids, 0)
    for row in rows:
        counts[row["call_off"]] += 1
    return counts


async def bids_made(
    provider_ids: Iterable[UUID], call_off_ids: Iterable[UUID]
) -> list[tuple[UUID, UUID]]:
    """(provider, call-off) for every bid these providers made on these call-offs (one per bid
    row, whatever became of it: a bid withdrawn was still a response)."""
    providers, call_offs = list(provider_ids), list(call_off_ids)
    if not providers or not call_offs:
        return []
    rows = await Bid.select(Bid.provider, Bid.call_off).where(
        Bid.provider.is_in(providers) & Bid.call_off.is_in(call_offs)
    )
    return [(row["provider"], row["call_off"]) for row in rows]


async def decline_reasons(
    call_off_ids: list[UUID],
) -> dict[UUID, list[tuple[str, str, str | None]]]:
    """Each call-off's declines as (reason, its words, the text for "other"), oldest first, and
    never who declined: what a commissioner sees of the turn-downs before opening."""
    if not call_off_ids:
        return {}
    rows = (
        await Decline.select(Decline.call_off, Decline.reason, Decline.text)
        .where(Decline.call_off.is_in(call_off_ids))
        .order_by(Decline.declined_at)
    )
    found: dict[UUID, list[tuple[str, str, str | None]]] = {c: [] for c in call_off_ids}
    for row in rows:
        words = DECLINE_REASONS.get(row["reason"], row["reason"])
        found[row["call_off"]].append((row["reason"], words, row["text"]))
    return found


async def declines_by(
    provider_ids: Iterable[UUID], call_off_ids: Iterable[UUID]
) -> list[tuple[UUID, UUID]]:
    """(provider, call-off) for every decline these providers made of these call-offs (the
    ranking's turn-downs)."""
    providers, call_offs = list(provider_ids), list(call_off_ids)
    if not providers or not call_offs:
        return []
    rows = await Decline.select(Decline.provider, Decline.call_off).where(
        Decline.provider.is_in(providers) & Decline.call_off.is_in(call_offs)
    )
    return [(row["provider"], row["call_off"]) for row in rows]


async def responses_of(provider_id: UUID, call_off_ids: Iterable[UUID]) -> dict[UUID, str]:
    """How the provider answered each of these call-offs, if it did: "bid" (a live bid),
    "withdrawn" or "declined" (two queries, whatever the number of call-offs)."""
    call_offs = list(call_off_ids)
    if not call_offs:
        return {}
    found: dict[UUID, str] = {}
    for row in await Bid.select(Bid.call_off, Bid.status).where(
        (Bid.provider == provider_id) & Bid.call_off.is_in(call_offs)
    ):
        found[row["call_off"]] = "bid" if row["status"] == "submitted" else "withdrawn"
    for row in await Decline.select(Decline.call_off).where(
        (Decline.provider == provider_id) & Decline.call_off.is_in(call_offs)
    ):
        found[row["call_off"]] = "declined"
    return found


@dataclass(frozen=True)
class DeclineOnLot:
    """A provider's turn-down of a call-off on a lot, as KPI returns read it."""

    provider_id: UUID
    commissioner_id: UUID
    declined_at: datetime
    reason: str  # the reason's words
    text: str | None
    call_off_kind: str


async def declines_on_lot(lot_id: UUID, since: datetime, until: datetime) -> list[DeclineOnLot]:
    """Every turn-down of a call-off on the lot made from `since` until before `until`."""
    rows = await Decline.select(
        Decline.provider,
        Decline.call_off.commissioner.as_alias("commissioner"),
        Decline.declined_at,
        Decline.reason,
        Decline.text,
        Decline.call_off.kind.as_alias("kind"),
    ).where(
        (Decline.call_off.lot == lot_id)
        & (Decline.declined_at >= since)
        & (Decline.declined_at < until)
    )
    return [
        DeclineOnLot(
            provider_id=row["provider"],
            commissioner_id=row["commissioner"],
            declined_at=row["declined_at"],
            reason=DECLINE_REASONS.get(row["reason"], row["reason"]),
            text=row["text"],
            call_off_kind=row["kind"],
        )
        for row in rows
    ]
