"""What the bids domain needs to know of a call-off when a provider bids, read under the call-off's
row lock so that a bid and the close at the deadline can never interleave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.db import for_update
from marketplace.tenders.tables import CallOff, CallOffArea, Invitation


@dataclass(frozen=True)
class BiddingTerms:
    call_off_id: UUID
    commissioner_id: UUID
    kind: str
    title: str
    status: str
    deadline: datetime
    terms: dict[str, Any]
    invited_area_codes: list[str]


async def lock_for_bidding(call_off_id: UUID, provider_id: UUID) -> BiddingTerms | None:
    """The call-off, locked until the caller's transaction ends, if this provider is invited to
    it; None otherwise (the caller answers 404: never reveal another's call-off)."""
    invitation = (
        await Invitation.select(Invitation.area_codes)
        .where((Invitation.call_off == call_off_id) & (Invitation.provider == provider_id))
        .first()
    )
    if invitation is None:
        return None
    row = await for_update(CallOff.select().where(CallOff.id == call_off_id)).first()
    if row is None:
        return None
    return BiddingTerms(
        call_off_id=row["id"],
        commissioner_id=row["commissioner"],
        kind=row["kind"],
        title=row["title"],
        status=row["status"],
        deadline=row["deadline"],
        terms=msgspec.json.decode(row["terms"]),
        invited_area_codes=msgspec.json.decode(invitation["area_codes"]),
    )


@dataclass(frozen=True)
class ClosedCallOff:
    call_off_id: UUID
    commissioner_id: UUID
    opening_quorum: int
    lot_id: UUID
    # The area ids each invited provider was invited for (the gates are re-checked for them).
    invited_area_ids: dict[UUID, list[UUID]]


async def close_if_due(call_off_id: UUID, now: datetime) -> ClosedCallOff | None:
    """Close a published call-off whose deadline has come (inside the caller's transaction, under
    the row lock every bid takes): no bid can be accepted after this, and none is lost by it."""
    row = await for_update(CallOff.select().where(CallOff.id == call_off_id)).first()
    if row is None or row["status"] != "published" or now < row["deadline"]:
        return None
    await CallOff.update({CallOff.status: "closed"}).where(CallOff.id == call_off_id)
    invited = await invited_area_ids(call_off_id)
    return ClosedCallOff(row["id"], row["commissioner"], row["opening_quorum"], row["lot"], invited)


async def invited_area_ids(call_off_id: UUID) -> dict[UUID, list[UUID]]:
    """The ids of the call-off's areas each invited provider was invited for (the provider gates
    are checked for them)."""
    areas = await CallOffArea.select(
        CallOffArea.area, CallOffArea.area._.code.as_alias("code")
    ).where(CallOffArea.call_off == call_off_id)
    area_id = {area["code"]: area["area"] for area in areas}
    return {
        invitation["provider"]: [
            area_id[code]
            for code in msgspec.json.decode(invitation["area_codes"])
            if code in area_id
        ]
        for invitation in await Invitation.select(Invitation.provider, Invitation.area_codes).where(
            Invitation.call_off == call_off_id
        )
    }


async def due_for_closing(now: datetime) -> list[UUID]:
    """Published call-offs whose deadline has passed (the sweep behind the scheduled close)."""
    rows = await CallOff.select(CallOff.id).where(
        (CallOff.status == "published") & (CallOff.deadline <= now)
    )
    return [row["id"] for row in rows]


async def call_off_for_opening(call_off_id: UUID, commissioner_id: UUID) -> dict[str, Any] | None:
    """The commissioner's own call-off, locked, with what opening needs to know."""
    return await for_update(
        CallOff.select(
            CallOff.id,
            CallOff.status,
            CallOff.deadline,
            CallOff.opening_quorum,
            CallOff.commissioner,
        ).where((CallOff.id == call_off_id) & (CallOff.commissioner == commissioner_id))
    ).first()
