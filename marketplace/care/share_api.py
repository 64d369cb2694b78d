"""JSON API of the framework share and its target (docs/design.md 3.5)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromQuery, JSONBody

from marketplace.care.framework_share import FrameworkShare, GroupBy, framework_share
from marketplace.principal import COMMISSIONER_ROLES
from marketplace.tenders.waiting_list import share_target
from marketplace.web.security import SignedIn, role_in


class FrameworkShareApi(Controller):
    path = "/api/v1/framework-share"
    tags = ["contingency"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @get("/", summary="Hours placed through the framework over all hours placed, last 12 months")
    async def share(
        self, principal: SignedIn, group_by: FromQuery[GroupBy] = "month"
    ) -> FrameworkShare:
        return await framework_share(principal, group_by)

    @get("/target", summary="Your framework share target, a percentage (90 by default)")
    async def target(self, principal: SignedIn) -> share_target.ShareTarget:
        return await share_target.share_target(principal)

    @put(
        "/target",
        status_code=200,
        guards=[role_in("commissioner")],
        summary="Set your framework share target (1 to 100 per cent)",
    )
    async def put_target(
        self, principal: SignedIn, data: JSONBody[share_target.ShareTargetPut]
    ) -> share_target.ShareTarget:
        return await share_target.put_share_target(principal, data)
