"""JSON API of the provider quality ranking: the ranking, the commissioner's weights (versioned),
and the panel's reviews with their frozen snapshots. Commissioner staff only."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from marketplace.awards import quality_ranking, quality_weights, ranking_reviews, schemas
from marketplace.awards import ranking_schemas as shapes
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")


class RankingApi(Controller):
    path = "/api/v1/providers/ranking"
    tags = ["quality ranking"]
    guards = [COMMISSIONER_STAFF]

    @get("/", summary="Your admitted providers in quality order, with each factor's breakdown")
    async def ranking(self, principal: SignedIn) -> list[schemas.RankedProvider]:
        return await quality_ranking.provider_ranking(principal)

    @post(
        "/reviews",
        status_code=201,
        summary="Record the panel's review, freezing a dated snapshot of the ranking",
    )
    async def record_review(
        self, principal: SignedIn, data: JSONBody[shapes.ReviewCreate]
    ) -> shapes.Review:
        return await ranking_reviews.record_review(principal, data)

    @get("/reviews", summary="Your ranking reviews, latest first, and when the next is due")
    async def reviews(self, principal: SignedIn) -> shapes.Reviews:
        return await ranking_reviews.reviews(principal)

    @get("/reviews/{review_id:uuid}", summary="A ranking review with its frozen snapshot")
    async def review(self, principal: SignedIn, review_id: FromPath[UUID]) -> shapes.Review:
        return await ranking_reviews.get_review(principal, review_id)


class QualityWeightsApi(Controller):
    path = "/api/v1/quality-weights"
    tags = ["quality ranking"]
    guards = [COMMISSIONER_STAFF]

    @get("/", summary="Your quality ranking weights in force, the defaults, and every version")
    async def weights(self, principal: SignedIn) -> shapes.QualityWeightsView:
        return await quality_weights.quality_weights(principal)

    @put(
        "/",
        status_code=200,
        summary="Set new weights (every factor, 0 to 100, adding up to 100): a new version",
    )
    async def put_weights(
        self, principal: SignedIn, data: JSONBody[shapes.QualityWeightsPut]
    ) -> shapes.QualityWeightsView:
        return await quality_weights.put_weights(principal, data)
