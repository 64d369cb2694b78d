"""A bid's attachments as their bidder (or, after opening, the commissioner) sees them: the
rows with their sealed names and types unsealed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from marketplace.bids import schemas
from marketplace.bids.keys import call_off_data_key
from marketplace.bids.sealing import SealBroken, open_attachment
from marketplace.bids.tables import BidAttachment


def describe_attachment(row: dict[str, Any], description: dict[str, str]) -> schemas.Attachment:
    return schemas.Attachment(
        attachment_id=row["id"],
        filename=description["filename"],
        media_type=description["media_type"],
        size=row["size"],
        digest=row["digest"],
        received_at=row["received_at"],
        integrity=row["integrity"],
    )


def unsealed_description(
    data_key: bytes, row: dict[str, Any], call_off_id: UUID, provider_id: UUID
) -> Any:
    return msgspec.json.decode(
        open_attachment(
            data_key, bytes(row["sealed_description"]), call_off_id, provider_id, row["id"]
        )
    )


async def attachment_rows(bid_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await BidAttachment.select()
        .where((BidAttachment.bid == bid_id) & BidAttachment.removed_at.is_null())
        .order_by(BidAttachment.received_at)
    )
    return rows


async def bids_with_attachments(call_off_id: UUID) -> set[UUID]:
    """The bids of the call-off that have an attachment (not removed)."""
    rows = await BidAttachment.select(BidAttachment.bid).where(
        (BidAttachment.bid.call_off == call_off_id) & BidAttachment.removed_at.is_null()
    )
    return {row["bid"] for row in rows}


async def attachments_of(
    call_off_id: UUID, provider_id: UUID, bid_id: UUID
) -> list[schemas.Attachment]:
    """A bid's attachments, their names unsealed (for the bidder, or after opening)."""
    rows = await attachment_rows(bid_id)
    if not rows:
        return []
    data_key = await call_off_data_key(call_off_id)
    if data_key is None:
        return []
    attachments = []
    for row in rows:
        try:
            description = unsealed_description(data_key, row, call_off_id, provider_id)
        except SealBroken:
            description = {"filename": "(altered)", "media_type": "application/octet-stream"}
        attachments.append(describe_attachment(row, description))
    return attachments


async def attachment_document_ids(call_off_id: UUID) -> list[UUID]:
    """The archived (sealed) documents attached to the call-off's live bids."""
    rows = await BidAttachment.select(BidAttachment.document_id).where(
        (BidAttachment.bid.call_off == call_off_id)
        & (BidAttachment.bid.status == "submitted")
        & BidAttachment.removed_at.is_null()
    )
    return [row["document_id"] for row in rows]
