"""JSON API of the provider quality ranking: the ranking, the commissioner's weights (versioned),
and the panel's reviews with their frozen snapshots. Commissioner staff only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from marketplace.awards import quality_ranking, quality_weights, ranking_reviews, schemas
from marketplace.awards import ranking_schemas as shapes
from marketplace.web.security import actor, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")


class RankingApi(Controller):
    path = "/api/v1/providers/ranking"
    tags = ["quality ranking"]
    guards = [COMMISSIONER_STAFF]

    @get("/", summary="Your admitted providers in quality order, with each factor's breakdown")
    async def ranking(self, request: Request[Any, Any, Any]) -> list[schemas.RankedProvider]:
        return await quality_ranking.provider_ranking(actor(request))

    @post(
        "/reviews",
        status_code=201,
        summary="Record the panel's review, freezing a dated snapshot of the ranking",
    )
    async def record_review(
        self, request: Request[Any, Any, Any], data: JSONBody[shapes.ReviewCreate]
    ) -> shapes.Review:
        return await ranking_reviews.record_review(actor(request), data)

    @get("/reviews", summary="Your ranking reviews, latest first, and when the next is due")
    async def reviews(self, request: Request[Any, Any, Any]) -> shapes.Reviews:
        return await ranking_reviews.reviews(actor(request))

    @get("/reviews/{review_id:uuid}", summary="A ranking review with its frozen snapshot")
    async def review(
        self, request: Request[Any, Any, Any], review_id: FromPath[UUID]
    ) -> shapes.Review:
        return await ranking_reviews.get_review(actor(request), review_id)


class QualityWeightsApi(Controller):
    path = "/api/v1/quality-weights"
    tags = ["quality ranking"]
    guards = [COMMISSIONER_STAFF]

    @get("/", summary="Your quality ranking weights in force, the defaults, and every version")
    async def weights(self, request: Request[Any, Any, Any]) -> shapes.QualityWeightsView:
        return await quality_weights.quality_weights(actor(request))

    @put(
        "/",
        status_code=200,
        summary="Set new weights (every factor, 0 to 100, adding up to 100): a new version",
    )
    async def put_weights(
        self, request: Request[Any, Any, Any], data: JSONBody[shapes.QualityWeightsPut]
    ) -> shapes.QualityWeightsView:
        return await quality_weights.put_weights(actor(request), data)
