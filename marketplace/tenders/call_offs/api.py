"""JSON API of call-offs: commissioners draft, publish, extend and cancel them; invited providers
see them as opportunities."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.tenders.call_offs import drafting as call_offs
from marketplace.tenders.call_offs import publication, schemas
from marketplace.tenders.call_offs import queries as call_off_views
from marketplace.tenders.opportunities import feed
from marketplace.web.security import SignedIn, role_in

COMMISSIONERS = role_in("commissioner", "opener")


class CallOffApi(Controller):
    path = "/api/v1/call-offs"
    tags = ["call-offs"]

    @post("/", guards=[COMMISSIONERS], status_code=201, summary="Draft a call-off")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.CallOffCreate]
    ) -> schemas.CallOff:
        return await call_offs.create_call_off(principal, data)

    @get(
        "/",
        guards=[role_in("commissioner", "opener", "provider")],
        summary="Your call-offs (commissioner) or opportunities (provider)",
    )
    async def index(
        self,
        principal: SignedIn,
        status: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.CallOffPage | schemas.OpportunityPage:
        if principal.is_provider:
            return await feed.opportunity_feed(principal, status, limit, cursor)
        return await call_off_views.list_call_offs(principal, status, limit, cursor)

    @get(
        "/{call_off_id:uuid}",
        guards=[role_in("commissioner", "opener", "provider")],
        summary="A call-off",
    )
    async def show(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> schemas.CallOff | schemas.Opportunity:
        if principal.is_provider:
            return await feed.opportunity(principal, call_off_id)
        return await call_off_views.get_call_off(principal, call_off_id)

    @patch(
        "/{call_off_id:uuid}",
        guards=[COMMISSIONERS],
        summary="Change the deadline (published: extend only)",
    )
    async def change(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.DeadlineChange],
    ) -> schemas.CallOff:
        return await publication.change_deadline(principal, call_off_id, data)

    @post(
        "/{call_off_id:uuid}/publish",
        guards=[COMMISSIONERS],
        status_code=200,
        summary="Publish to eligible providers",
    )
    async def publish(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> schemas.CallOff:
        return await publication.publish_call_off(principal, call_off_id)

    @post(
        "/{call_off_id:uuid}/cancel",
        guards=[COMMISSIONERS],
        status_code=200,
        summary="Cancel with a reason",
    )
    async def cancel(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.Cancellation],
    ) -> schemas.CallOff:
        return await publication.cancel_call_off(principal, call_off_id, data)

    @post(
        "/{call_off_id:uuid}/documents",
        guards=[COMMISSIONERS],
        status_code=201,
        summary="Attach a document (multipart: file)",
    )
    async def attach(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: Annotated[
            schemas.CallOffDocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)
        ],
    ) -> schemas.CallOff:
        content = await data.file.read()
        await data.file.close()
        return await publication.attach_document(
            principal, call_off_id, data.file.filename, content
        )
