"""JSON API of evaluation and award: the evaluation, pilot scores, confirming the award, each
party's view of it, and opening approval (the quality ranking's is `ranking_api.py`)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from marketplace.awards import award as service
from marketplace.awards import closing, schemas, scoring
from marketplace.awards import queries as views
from marketplace.bids.schemas import OpeningState
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")


class AwardApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}"
    tags = ["awards"]

    @get(
        "/evaluation",
        guards=[COMMISSIONER_STAFF],
        summary="After opening: every bid with its figures, rank, flags and reason",
    )
    async def evaluation(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> schemas.EvaluationView:
        return await views.get_evaluation(principal, call_off_id)

    @put(
        "/scores",
        guards=[role_in("commissioner")],
        status_code=200,
        summary="Score a pilot bid's answers in one area (0-100 per question); re-evaluates",
    )
    async def scores(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.PilotScores],
    ) -> schemas.EvaluationView:
        return await scoring.put_scores(principal, call_off_id, data)

    @post(
        "/award",
        guards=[role_in("commissioner")],
        status_code=200,
        summary="Confirm the computed award, or depart from it with a reason; starts the standstill",
    )
    async def confirm(
        self,
        principal: SignedIn,
        call_off_id: FromPath[UUID],
        data: JSONBody[schemas.AwardConfirmation],
    ) -> schemas.AwardView:
        return await service.confirm_award(principal, call_off_id, data)

    @get(
        "/award",
        guards=[role_in("commissioner", "opener", "provider")],
        summary="The award and its standstill; a provider sees its own outcome",
    )
    async def award(
        self, principal: SignedIn, call_off_id: FromPath[UUID]
    ) -> schemas.AwardView | schemas.ProviderOutcome:
        if principal.is_provider:
            return await views.provider_outcome(principal, call_off_id)
        return await views.award_view(await views.own_terms(principal, call_off_id))


class OpeningApi(Controller):
    path = "/api/v1/call-offs/{call_off_id:uuid}"
    tags = ["bids"]

    @post(
        "/open",
        guards=[role_in("opener")],
        status_code=200,
        summary="Approve opening the bids after the deadline",
    )
    async def open(self, principal: SignedIn, call_off_id: FromPath[UUID]) -> OpeningState:
        return await closing.approve_opening(principal, call_off_id)
