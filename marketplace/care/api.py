"""JSON API of care after the award: the care records of each party, the actual start and its
correction, hours variations and their decisions, hand-backs, the end of care, enablement
outcomes, and the use of the hours tolerance."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.care import enablement, hand_backs, schemas, service, variations
from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")
PROVIDER = role_in("provider")


class CareApi(Controller):
    path = "/api/v1/care"
    tags = ["care"]
    guards = [role_in("commissioner", "opener", "provider")]

    @get("/", summary="Care records, newest first (provider: its own; commissioner: filtered)")
    async def index(
        self,
        principal: SignedIn,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: Annotated[
            schemas.Status | None, QueryParameter(description="only care in this status")
        ] = None,
        area_code: Annotated[
            str | None, QueryParameter(description="commissioner: only care in this area")
        ] = None,
        provider_id: Annotated[
            UUID | None, QueryParameter(description="commissioner: only this provider's care")
        ] = None,
        late: Annotated[
            bool | None, QueryParameter(description="only late starts (true) or not (false)")
        ] = None,
    ) -> schemas.CarePage:
        return await service.list_care(
            principal,
            limit,
            cursor,
            status=status,
            area_code=area_code,
            provider_id=provider_id,
            late=late,
        )

    @get(
        "/tolerance",
        guards=[COMMISSIONER_STAFF],
        summary="Use of the +/- 5.00 hours tolerance per package and per provider",
    )
    async def tolerance(self, principal: SignedIn) -> schemas.ToleranceUse:
        return await variations.tolerance_use(principal)

    @get("/{care_id:uuid}", summary="A care record with its variations, enablement and timeline")
    async def show(self, principal: SignedIn, care_id: FromPath[UUID]) -> schemas.Care:
        return await service.get_care(principal, care_id)

    @put(
        "/{care_id:uuid}/start",
        guards=[PROVIDER],
        status_code=200,
        summary="Record the actual start (not in the future, not before the award)",
    )
    async def start(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.StartRecord],
    ) -> schemas.Care:
        return await service.record_start(principal, care_id, data)

    @post(
        "/{care_id:uuid}/start-correction",
        guards=[COMMISSIONER_STAFF],
        status_code=200,
        summary="Correct the recorded actual start, with a reason",
    )
    async def correct_start(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.StartCorrection],
    ) -> schemas.Care:
        return await service.correct_start(principal, care_id, data)

    @post(
        "/{care_id:uuid}/variations",
        guards=[PROVIDER],
        status_code=201,
        summary="Vary the weekly hours: applied within +/- 5.00 of those awarded, else requested",
    )
    async def vary(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.VariationCreate],
    ) -> schemas.Variation:
        return await variations.record_variation(principal, care_id, data)

    @post(
        "/{care_id:uuid}/variations/{variation_id:uuid}/decision",
        guards=[COMMISSIONER_STAFF],
        status_code=200,
        summary="Approve or refuse a change of hours beyond the tolerance (refusal: a reason)",
    )
    async def decide(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        variation_id: FromPath[UUID],
        data: JSONBody[schemas.VariationDecision],
    ) -> schemas.Variation:
        return await variations.decide_variation(principal, care_id, variation_id, data)

    @post(
        "/{care_id:uuid}/hand-back",
        guards=[PROVIDER],
        status_code=200,
        summary="Hand the care back, with a reason and the last day of care",
    )
    async def hand_back(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.HandBack],
    ) -> schemas.Care:
        return await hand_backs.hand_back(principal, care_id, data)

    @post(
        "/{care_id:uuid}/end",
        guards=[COMMISSIONER_STAFF],
        status_code=200,
        summary="End active care, with a reason and the last day of care",
    )
    async def end(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.CareEnd],
    ) -> schemas.Care:
        return await service.end_care(principal, care_id, data)

    @put(
        "/{care_id:uuid}/enablement-outcomes",
        guards=[COMMISSIONER_STAFF],
        status_code=200,
        summary="Record whether each enabling outcome was met, once the enablement period ends",
    )
    async def enablement_outcomes(
        self,
        principal: SignedIn,
        care_id: FromPath[UUID],
        data: JSONBody[schemas.EnablementOutcomes],
    ) -> schemas.Care:
        await enablement.record_outcomes(principal, care_id, data)
        return await service.get_care(principal, care_id)
