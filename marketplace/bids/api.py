"""JSON API of bids: a provider submits, reads and withdraws its own sealed bid."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody

from marketplace.bids import opening, schemas, service
from marketplace.web.security import actor, role_in


class BidApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}/bid"
    tags = ["bids"]
    guards = [role_in("provider")]

    @put("/", status_code=201, summary="Submit or replace your sealed bid; returns its receipt")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.BidSubmission],
    ) -> schemas.Receipt:
        return await service.submit_bid(actor(request), call_off_id, data)

    @get("/", summary="Your own bid, with its receipt")
    async def show(
        self, request: Request[Any, Any, Any], call_off_id: FromPath[UUID]
    ) -> schemas.OwnBid:
        return await service.own_bid(actor(request), call_off_id)

    @delete("/", status_code=200, summary="Withdraw your bid before the deadline")
    async def withdraw(
        self, request: Request[Any, Any, Any], call_off_id: FromPath[UUID]
    ) -> schemas.Withdrawal:
        return await service.withdraw_bid(actor(request), call_off_id)


class OpeningApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}"
    tags = ["bids"]

    @post(
        "/open",
        guards=[role_in("opener")],
        status_code=200,
        summary="Approve opening the bids after the deadline",
    )
    async def open(
        self, request: Request[Any, Any, Any], call_off_id: FromPath[UUID]
    ) -> schemas.OpeningState:
        return await opening.approve_opening(actor(request), call_off_id)

    @get(
        "/bids",
        guards=[role_in("commissioner", "opener")],
        summary="The opened bids, each re-checked against its receipt",
    )
    async def bids(
        self, request: Request[Any, Any, Any], call_off_id: FromPath[UUID]
    ) -> list[schemas.OpenedBid]:
        return await opening.opened_bids(actor(request), call_off_id)
