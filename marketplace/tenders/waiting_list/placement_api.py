"""JSON API of off-framework placements (docs/design.md 3.5)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from marketplace.principal import COMMISSIONER_ROLES
from marketplace.tenders.waiting_list import placement_schemas as schemas
from marketplace.tenders.waiting_list import placements
from marketplace.web.security import SignedIn, role_in


class PlacementApi(Controller):
    path = "/api/v1"
    tags = ["contingency"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @post(
        "/packages/{package_id:uuid}/off-framework",
        status_code=201,
        guards=[role_in("commissioner")],
        summary="Place your waiting package off framework (an override reason before it is due)",
    )
    async def place(
        self,
        principal: SignedIn,
        package_id: FromPath[UUID],
        data: JSONBody[schemas.PlacementCreate],
    ) -> schemas.Placement:
        return await placements.place_off_framework(principal, package_id, data)

    @get("/off-framework-placements", summary="Your off-framework placements, latest first")
    async def index(self, principal: SignedIn) -> list[schemas.Placement]:
        return await placements.placements(principal)
