"""The opened bids of a call-off as the award engine reads them: only after opening, and only
those whose content matched its receipt (an altered one comes with no content)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from marketplace.admissions.rules import decode_gate_failures
from marketplace.bids import schemas
from marketplace.bids.keys import call_off_data_key
from marketplace.bids.sealing import open_bid
from marketplace.bids.tables import Bid, Opening


async def is_opened(call_off_id: UUID) -> bool:
    return bool(await Opening.exists().where(Opening.call_off == call_off_id))


async def opened_contents(call_off_id: UUID) -> list[schemas.OpenedBid]:
    """Every live bid of an opened call-off in order of receipt, its content decrypted when it is
    intact; empty when the call-off is not opened (callers check access first)."""
    if not await is_opened(call_off_id):
        return []
    data_key = await call_off_data_key(call_off_id)
    if data_key is None:
        return []
    result = []
    for bid in (
        await Bid.select()
        .where((Bid.call_off == call_off_id) & (Bid.status == "submitted"))
        .order_by(Bid.received_at)
    ):
        content = None
        if bid["integrity"] == "intact":
            content = msgspec.json.decode(
                open_bid(
                    data_key,
                    bytes(bid["sealed_content"]),
                    call_off_id,
                    bid["provider"],
                    bid["version"],
                ),
                type=schemas.BidSubmission,
            )
        failures = decode_gate_failures(bid["gate_failures"])
        result.append(
            schemas.OpenedBid(
                bid_id=bid["id"],
                provider_id=bid["provider"],
                version=bid["version"],
                received_at=bid["received_at"],
                digest=bid["digest"],
                integrity=bid["integrity"] or "unchecked",
                gate_failures=[str(failure) for failure in failures],
                gate_failure_codes=[failure.code for failure in failures],
                content=content,
            )
        )
    return result
