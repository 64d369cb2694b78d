"""JSON API of CQC ratings: a platform admin sets one with a reason; the history is readable by
admins, commissioner staff and the provider itself."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, put
from litestar.params import FromPath, JSONBody

from marketplace.accounts import cqc_ratings, schemas
from marketplace.web.security import SignedIn, role_in


class CqcRatingApi(Controller):
    path = "/api/v1/organisations/{organisation_id:uuid}"
    tags = ["accounts"]

    @put(
        "/cqc-rating",
        guards=[role_in("admin")],
        summary="Set a provider's CQC rating, with the reason (platform admins only)",
    )
    async def set_rating(
        self,
        principal: SignedIn,
        organisation_id: FromPath[UUID],
        data: JSONBody[schemas.CqcRatingSet],
    ) -> schemas.Organisation:
        return await cqc_ratings.set_rating(principal, organisation_id, data)

    @get("/cqc-ratings", summary="A provider's CQC rating history, newest first")
    async def history(
        self, principal: SignedIn, organisation_id: FromPath[UUID]
    ) -> list[schemas.CqcRatingEntry]:
        return await cqc_ratings.rating_history(principal, organisation_id)
