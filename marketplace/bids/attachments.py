"""Bid attachments, sealed like the bid: the bytes are encrypted under the call-off's data key
before they reach the archive, and the file's name and type are sealed beside them. The bidder
reads its own; the commissioner's users read them once the bids are opened; every refused read of
a sealed attachment is audited."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.archive.filenames import sanitise_filename
from marketplace.archive.service import check_upload, sealed_document_bytes, store_sealed_document
from marketplace.archive.storage import DocumentDamaged
from marketplace.audit.service import record
from marketplace.bids import schemas
from marketplace.bids.attachment_queries import (
    attachment_rows,
    attachments_of,
    describe_attachment,
    unsealed_description,
)
from marketplace.bids.contents import is_opened
from marketplace.bids.keys import call_off_data_key
from marketplace.bids.sealing import SealBroken, open_attachment, seal_attachment
from marketplace.bids.service import DeadlinePassed, audit_refusal, check_open, provider_of
from marketplace.bids.tables import Bid, BidAttachment
from marketplace.db import write_transaction
from marketplace.errors import NotFound, RuleBroken, WrongState
from marketplace.principal import Principal
from marketplace.tenders.call_offs.bidding import (
    BiddingTerms,
    call_off_for_opening,
    lock_for_bidding,
)

MAX_ATTACHMENTS_PER_BID = 10


async def _live_bid(call_off_id: UUID, provider_id: UUID) -> UUID:
    row = (
        await Bid.select(Bid.id)
        .where(
            (Bid.call_off == call_off_id)
            & (Bid.provider == provider_id)
            & (Bid.status == "submitted")
        )
        .first()
    )
    if row is None:
        raise WrongState("Submit your bid first: attachments belong to a submitted bid")
    return row["id"]


async def _open_for_attaching(call_off_id: UUID, provider_id: UUID, doing: str) -> BiddingTerms:
    """The call-off's terms under its row lock, if this provider may still change its bid."""
    terms = await lock_for_bidding(call_off_id, provider_id)
    if terms is None:
        raise NotFound("No such call-off")
    check_open(terms, datetime.now(UTC), doing)
    return terms


async def attach_to_bid(
    actor: Principal, call_off_id: UUID, filename: str, content: bytes
) -> schemas.Attachment:
    """Seal a document and attach it to this provider's submitted bid before the deadline; its
    receipt is the SHA-256 of the plain bytes and the server's time."""
    provider_id = provider_of(actor)
    media_type = check_upload(filename, content)
    try:
        async with write_transaction():
            await _open_for_attaching(call_off_id, provider_id, "changed")
            bid_id = await _live_bid(call_off_id, provider_id)
            count = await BidAttachment.count().where(
                (BidAttachment.bid == bid_id) & BidAttachment.removed_at.is_null()
            )
            if count >= MAX_ATTACHMENTS_PER_BID:
                raise RuleBroken(
                    f"A bid can carry at most {MAX_ATTACHMENTS_PER_BID} attachments: "
                    "remove one first"
                )
            data_key = await call_off_data_key(call_off_id, create=True)
            assert data_key is not None
        # Sealed and stored outside the lock: the archive is slow next to a row lock.
        attachment_id = uuid.uuid4()
        description = msgspec.json.encode(
            {"filename": sanitise_filename(filename), "media_type": media_type}
        )
        sealed = seal_attachment(data_key, content, call_off_id, provider_id, attachment_id)
        document_id = await store_sealed_document(actor, sealed)
        async with write_transaction():
            await _open_for_attaching(call_off_id, provider_id, "changed")
            bid_id = await _live_bid(call_off_id, provider_id)
            row = BidAttachment(
                id=attachment_id,
                bid=bid_id,
                document_id=document_id,
                sealed_description=seal_attachment(
                    data_key, description, call_off_id, provider_id, attachment_id
                ),
                size=len(content),
                digest=hashlib.sha256(content).hexdigest(),
                received_at=datetime.now(UTC),
            )
            await BidAttachment.insert(row)
            await record(
                actor,
                "attach_to_bid",
                "bid",
                bid_id,
                # Filed under the bidder: the commissioner learns nothing of a bid, not even
                # who bid or its receipt digest, from the audit log before opening.
                organisation_id=actor.organisation_id,
                details={
                    "call_off_id": str(call_off_id),
                    "attachment_id": str(attachment_id),
                    "digest": row.digest,
                    "size": len(content),
                },
            )
    except (DeadlinePassed, WrongState) as exc:
        await audit_refusal(actor, "refused_attachment", call_off_id, exc.detail)
        raise
    return describe_attachment(row.to_dict(), msgspec.json.decode(description))


async def own_attachments(actor: Principal, call_off_id: UUID) -> list[schemas.Attachment]:
    """This provider's attachments to its bid in the call-off."""
    provider_id = provider_of(actor)
    bid = await _own_bid_row(call_off_id, provider_id)
    return await attachments_of(call_off_id, provider_id, bid["id"])


async def _own_bid_row(call_off_id: UUID, provider_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await Bid.select(Bid.id, Bid.status)
        .where((Bid.call_off == call_off_id) & (Bid.provider == provider_id))
        .first()
    )
    if row is None:
        raise NotFound("You have no bid in this call-off")
    return row


async def _content(
    call_off_id: UUID, provider_id: UUID, row: dict[str, Any]
) -> schemas.AttachmentContent:
    data_key = await call_off_data_key(call_off_id)
    if data_key is None:
        raise NotFound("No such attachment")
    sealed = await sealed_document_bytes(row["document_id"])
    try:
        content = open_attachment(data_key, sealed, call_off_id, provider_id, row["id"])
        description = unsealed_description(data_key, row, call_off_id, provider_id)
    except SealBroken:
        raise WrongState(
            "This attachment no longer opens: it was altered after it was received"
        ) from None
    if hashlib.sha256(content).hexdigest() != row["digest"]:
        raise WrongState("This attachment no longer matches its receipt: it was altered")
    return schemas.AttachmentContent(
        filename=description["filename"], media_type=description["media_type"], content=content
    )


async def _attachment_row(bid_id: UUID, attachment_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await BidAttachment.select()
        .where(
            (BidAttachment.id == attachment_id)
            & (BidAttachment.bid == bid_id)
            & BidAttachment.removed_at.is_null()
        )
        .first()
    )
    if row is None:
        raise NotFound("No such attachment")
    return row


async def own_attachment_content(
    actor: Principal, call_off_id: UUID, attachment_id: UUID
) -> schemas.AttachmentContent:
    """The bidder's own attachment, unsealed for it alone."""
    provider_id = provider_of(actor)
    bid = await _own_bid_row(call_off_id, provider_id)
    row = await _attachment_row(bid["id"], attachment_id)
    return await _content(call_off_id, provider_id, row)


async def remove_attachment(
    actor: Principal, call_off_id: UUID, attachment_id: UUID
) -> schemas.AttachmentRemoval:
    """Take an attachment off this provider's bid before the deadline (the archived, sealed
    bytes stay write-once but are no longer part of the bid)."""
    provider_id = provider_of(actor)
    try:
        async with write_transaction():
            await _open_for_attaching(call_off_id, provider_id, "changed")
            bid_id = await _live_bid(call_off_id, provider_id)
            await _attachment_row(bid_id, attachment_id)
            moment = datetime.now(UTC)
            await BidAttachment.update({BidAttachment.removed_at: moment}).where(
                BidAttachment.id == attachment_id
            )
            await record(
                actor,
                "remove_attachment",
                "bid",
                bid_id,
                # Filed under the bidder: the commissioner learns nothing of a bid, not even
                # who bid or its receipt digest, from the audit log before opening.
                organisation_id=actor.organisation_id,
                details={"call_off_id": str(call_off_id), "attachment_id": str(attachment_id)},
            )
    except (DeadlinePassed, WrongState) as exc:
        await audit_refusal(actor, "refused_attachment", call_off_id, exc.detail)
        raise
    return schemas.AttachmentRemoval(attachment_id=attachment_id, removed_at=moment)


async def opened_attachment_content(
    actor: Principal, call_off_id: UUID, bid_id: UUID, attachment_id: UUID
) -> schemas.AttachmentContent:
    """An attachment of an opened bid, for the commissioner's users; before opening every attempt
    is refused (409) and audited."""
    commissioner_id = actor.commissioner_organisation(NotFound("No such call-off"))
    if await call_off_for_opening(call_off_id, commissioner_id) is None:
        raise NotFound("No such call-off")
    bid = (
        await Bid.select(Bid.provider, Bid.status)
        .where((Bid.id == bid_id) & (Bid.call_off == call_off_id))
        .first()
    )
    if bid is None or bid["status"] != "submitted":
        raise NotFound("No such bid")
    if not await is_opened(call_off_id):
        async with write_transaction():
            await record(
                actor,
                "refused_read_sealed_attachment",
                "bid",
                bid_id,
                organisation_id=commissioner_id,
                details={"call_off_id": str(call_off_id), "attachment_id": str(attachment_id)},
            )
        raise WrongState("The bids and their attachments are sealed until they are opened")
    row = await _attachment_row(bid_id, attachment_id)
    return await _content(call_off_id, bid["provider"], row)


async def check_attachments(call_off_id: UUID, data_key: bytes, bid: dict[str, Any]) -> bool:
    """At opening: unseal each of a bid's attachments and re-check it against its receipt,
    marking it intact or altered; True when all are intact."""
    all_intact = True
    for row in await attachment_rows(bid["id"]):
        try:
            content = open_attachment(
                data_key,
                await sealed_document_bytes(row["document_id"]),
                call_off_id,
                bid["provider"],
                row["id"],
            )
            intact = hashlib.sha256(content).hexdigest() == row["digest"]
        except (SealBroken, NotFound, DocumentDamaged):
            intact = False
        all_intact = all_intact and intact
        await BidAttachment.update(
            {BidAttachment.integrity: "intact" if intact else "altered"}
        ).where(BidAttachment.id == row["id"])
    return all_intact
