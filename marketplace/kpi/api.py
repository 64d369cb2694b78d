"""JSON API of KPI returns: a provider reads, completes and submits the returns it owes; a
commissioner reads the returns it is owed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from marketplace.kpi import schemas, service
from marketplace.web.security import SignedIn, role_in

Year = Annotated[int | None, QueryParameter(description="only this year's", ge=2000, le=2999)]
QuarterNumber = Annotated[
    int | None, QueryParameter(description="only this quarter's, 1 to 4", ge=1, le=4)
]
READERS = role_in("commissioner", "opener", "provider")
PROVIDER = role_in("provider")


class KpiReturnApi(Controller):
    path = "/api/v1/kpi-returns"
    tags = ["KPI returns"]

    @get("/", guards=[READERS], summary="KPI returns your organisation owes or is owed")
    async def index(
        self,
        principal: SignedIn,
        year: Year = None,
        quarter: QuarterNumber = None,
    ) -> list[schemas.KpiReturnSummary]:
        return await service.list_returns(principal, year, quarter)

    @get("/{return_id:uuid}", guards=[READERS], summary="One KPI return with its answers")
    async def show(self, principal: SignedIn, return_id: FromPath[UUID]) -> schemas.KpiReturn:
        return await service.get_return(principal, return_id)

    @put(
        "/{return_id:uuid}/answers",
        guards=[PROVIDER],
        summary="Give or correct values (the pre-filled value is kept beside a correction)",
    )
    async def answer(
        self, principal: SignedIn, return_id: FromPath[UUID], data: JSONBody[schemas.AnswersPut]
    ) -> schemas.KpiReturn:
        return await service.answer_return(principal, return_id, data)

    @post(
        "/{return_id:uuid}/submit",
        guards=[PROVIDER],
        status_code=200,
        summary="Submit the return: it is locked and archived with its SHA-256",
    )
    async def submit(self, principal: SignedIn, return_id: FromPath[UUID]) -> schemas.KpiReturn:
        return await service.submit_return(principal, return_id)
