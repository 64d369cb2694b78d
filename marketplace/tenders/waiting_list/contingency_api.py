"""JSON API of the contingency queue and the commissioner's contingency time scales."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from marketplace.principal import COMMISSIONER_ROLES
from marketplace.tenders.waiting_list import contingency
from marketplace.tenders.waiting_list import contingency_schemas as schemas
from marketplace.web.security import SignedIn, role_in


class ContingencyApi(Controller):
    path = "/api/v1/contingency"
    tags = ["contingency"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @get("/", summary="Your contingency queue: packages whose clock runs, soonest due first")
    async def queue(self, principal: SignedIn) -> schemas.ContingencyQueue:
        return await contingency.contingency_queue(principal)

    @get("/settings", summary="Your contingency time scales in working days")
    async def settings(self, principal: SignedIn) -> schemas.ContingencySettings:
        return await contingency.contingency_settings(principal)

    @put(
        "/settings",
        status_code=200,
        guards=[role_in("commissioner")],
        summary="Set your contingency time scales (urgent and other, 1 to 30 working days)",
    )
    async def put_settings(
        self, principal: SignedIn, data: JSONBody[schemas.ContingencySettingsPut]
    ) -> schemas.ContingencySettings:
        return await contingency.put_settings(principal, data)
