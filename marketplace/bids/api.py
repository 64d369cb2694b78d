"""JSON API of bids: a provider submits, reads and withdraws its own sealed bid, or declines the
call-off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from marketplace.archive.filenames import content_disposition
from marketplace.bids import attachments, declines, opening, schemas, service
from marketplace.errors import NotFound
from marketplace.web.security import SignedIn, role_in


class BidApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}/bid"
    tags = ["bids"]
    guards = [role_in("provider")]

    @put("/", status_code=201, summary="Submit or replace your sealed bid; returns its receipt")
    async def submit(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.BidSubmission],
    ) -> schemas.Receipt:
        return await service.submit_bid(principal, call_off_id, data)

    @get("/", summary="Your own bid, with its receipt")
    async def show(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> schemas.OwnBid:
        return await service.own_bid(principal, call_off_id)

    @post(
        "/attachments",
        status_code=201,
        summary="Attach a document to your submitted bid (multipart: file), sealed like the bid",
    )
    async def attach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: Annotated[AttachmentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Attachment:
        content = await data.file.read()
        await data.file.close()
        return await attachments.attach_to_bid(principal, call_off_id, data.file.filename, content)

    @get("/attachments", summary="Your bid's attachments")
    async def attachment_list(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> list[schemas.Attachment]:
        return await attachments.own_attachments(principal, call_off_id)

    @get(
        "/attachments/{attachment_id:uuid}",
        summary="One of your bid's attachments",
        media_type="application/octet-stream",
    )
    async def attachment(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        attachment_id: FromPath[UUID],
    ) -> Response[bytes]:
        found = await attachments.own_attachment_content(principal, call_off_id, attachment_id)
        return attachment_response(found)

    @delete(
        "/attachments/{attachment_id:uuid}",
        status_code=200,
        summary="Take an attachment off your bid before the deadline",
    )
    async def detach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        attachment_id: FromPath[UUID],
    ) -> schemas.AttachmentRemoval:
        return await attachments.remove_attachment(principal, call_off_id, attachment_id)

    @delete("/", status_code=200, summary="Withdraw your bid before the deadline")
    async def withdraw(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> schemas.Withdrawal:
        return await service.withdraw_bid(principal, call_off_id)


class DeclineApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}/decline"
    tags = ["bids"]
    guards = [role_in("provider")]

    @post(
        "/",
        status_code=201,
        summary="Decline the call-off you are invited to, with a reason (before the deadline)",
    )
    async def decline(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.DeclineCreate],
    ) -> schemas.Decline:
        return await declines.decline_call_off(principal, call_off_id, data)

    @get("/", summary="Your decline of the call-off")
    async def show(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> schemas.Decline:
        found = await declines.own_decline(principal, call_off_id)
        if found is None:
            raise NotFound("You have not declined this call-off")
        return found


class OpenedBidsApi(Controller):
    """The opened bids for the commissioner's staff (opening itself is the awards domain's)."""

    path = "/api/v1/call-offs/{call_off_id:uuid}"
    tags = ["bids"]

    @get(
        "/bids",
        guards=[role_in("commissioner", "opener")],
        summary="The opened bids, each re-checked against its receipt",
    )
    async def bids(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> list[schemas.OpenedBid]:
        return await opening.opened_bids(principal, call_off_id)

    @get(
        "/bids/{bid_id:uuid}/attachments/{attachment_id:uuid}",
        guards=[role_in("commissioner", "opener")],
        summary="An attachment of an opened bid",
        media_type="application/octet-stream",
    )
    async def opened_attachment(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        bid_id: FromPath[UUID],
        attachment_id: FromPath[UUID],
    ) -> Response[bytes]:
        found = await attachments.opened_attachment_content(
            principal, call_off_id, bid_id, attachment_id
        )
        return attachment_response(found)


@dataclass
class AttachmentUpload:
    """The multipart form of POST /call-offs/{id}/bid/attachments."""

    file: UploadFile


def attachment_response(found: schemas.AttachmentContent) -> Response[bytes]:
    return Response(
        content=found.content,
        media_type=found.media_type,
        headers={
            "content-disposition": content_disposition(found.filename),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )
