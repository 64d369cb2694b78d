"""JSON API of reference data: lots, areas, pricing and the postcode directory."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter

from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.reference import lot_rules, schemas, service
from marketplace.reference.postcodes import directory
from marketplace.reference.postcodes.rules import POSTCODE_PATTERN
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_ROLES = ("commissioner", "opener")


class LotApi(Controller):
    path = "/api/v1/lots"
    tags = ["reference data"]

    @post("/", guards=[role_in("admin")], status_code=201, summary="Create a DPS lot")
    async def create(self, principal: SignedIn, data: JSONBody[schemas.LotCreate]) -> schemas.Lot:
        return await service.create_lot(principal, data)

    @put(
        "/{lot_code:str}/rules",
        guards=[role_in("admin")],
        summary="Set a lot's own rules (one provider per area)",
    )
    async def put_rules(
        self,
        principal: SignedIn,
        lot_code: FromPath[str],
        data: JSONBody[schemas.LotRulesPut],
    ) -> schemas.Lot:
        return await lot_rules.put_lot_rules(principal, lot_code, data)

    @get("/", summary="List lots")
    async def index(self, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> schemas.LotPage:
        return await service.list_lots(limit, cursor)


class AreaApi(Controller):
    path = "/api/v1/areas"
    tags = ["reference data"]

    @post(
        "/",
        guards=[role_in("admin", *COMMISSIONER_ROLES)],
        status_code=201,
        summary="Create an area",
    )
    async def create(self, principal: SignedIn, data: JSONBody[schemas.AreaCreate]) -> schemas.Area:
        return await service.create_area(principal, data)

    @get("/", summary="List areas")
    async def index(
        self,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        commissioner_id: FromQuery[UUID | None] = None,
    ) -> schemas.AreaPage:
        return await service.list_areas(limit, cursor, commissioner_id)


class PricingApi(Controller):
    path = "/api/v1/pricing"
    tags = ["reference data"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @put(
        "/{lot_code:str}",
        summary="Set your pricing for a lot",
        responses={201: ResponseSpec(schemas.Pricing, description="Set for the first time")},
    )
    async def put_pricing(
        self,
        principal: SignedIn,
        lot_code: FromPath[str],
        data: JSONBody[schemas.PricingPut],
    ) -> Response[schemas.Pricing]:
        pricing, created = await service.put_pricing(principal, lot_code, data)
        return Response(pricing, status_code=201 if created else 200)

    @get("/{lot_code:str}", summary="Your pricing for a lot")
    async def show(self, principal: SignedIn, lot_code: FromPath[str]) -> schemas.Pricing:
        return await service.get_pricing(principal, lot_code)

    @get("/", summary="Your pricing for every lot")
    async def index(self, principal: SignedIn) -> list[schemas.Pricing]:
        return await service.list_pricing(principal)


PostcodePath = Annotated[
    str, PathParameter(description="a UK postcode, like CT1 1AA", pattern=POSTCODE_PATTERN)
]


class PostcodeApi(Controller):
    path = "/api/v1/postcodes"
    tags = ["reference data"]

    @put(
        "/{postcode:str}",
        guards=[role_in("admin")],
        summary="Record a postcode's rurality and coordinates",
        responses={
            201: ResponseSpec(schemas.Postcode, description="A postcode new to the directory")
        },
    )
    async def put_postcode(
        self,
        principal: SignedIn,
        postcode: PostcodePath,
        data: JSONBody[schemas.PostcodePut],
    ) -> Response[schemas.Postcode]:
        entry, created = await directory.put_postcode(principal, postcode, data)
        return Response(entry, status_code=201 if created else 200)

    @get("/{postcode:str}", summary="A postcode's rurality and coordinates")
    async def show(self, postcode: PostcodePath) -> schemas.Postcode:
        return await directory.get_postcode(postcode)
