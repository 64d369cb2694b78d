"""What the bids domain needs to know of a call-off when a provider bids, read under the call-off's
row lock so that a bid and the close at the deadline can never interleave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.db import for_update
from marketplace.tenders.tables import CallOff, Invitation


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
