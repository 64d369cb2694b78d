"""JSON API of admission to the DPS and of commissioners' blocks on providers."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter

from marketplace.admissions import applications as admissions
from marketplace.admissions import blocks, decisions, schemas
from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_ROLES = ("commissioner", "opener")


class AdmissionApi(Controller):
    path = "/api/v1/admissions"
    tags = ["admissions"]

    @post("/", guards=[role_in("provider")], status_code=201, summary="Apply to join a lot")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.AdmissionCreate]
    ) -> schemas.Admission:
        return await admissions.apply(principal, data)

    @get("/", summary="Applications (provider: its own; commissioner: those it decides)")
    async def index(
        self,
        principal: SignedIn,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: Annotated[
            Literal["applied", "approved", "rejected"] | None,
            QueryParameter(description="only applications in this state"),
        ] = None,
    ) -> schemas.AdmissionPage:
        return await admissions.list_admissions(principal, limit, cursor, status)

    @get("/{admission_id:uuid}", summary="An application, with its wait against the target")
    async def show(self, principal: SignedIn, admission_id: FromPath[UUID]) -> schemas.Admission:
        return await admissions.get_admission(principal, admission_id)

    @post(
        "/{admission_id:uuid}/decision",
        guards=[role_in(*COMMISSIONER_ROLES)],
        status_code=200,
        summary="Approve or reject an application (a rejection needs a reason)",
    )
    async def decide(
        self,
        principal: SignedIn,
        admission_id: FromPath[UUID],
        data: JSONBody[schemas.AdmissionDecision],
    ) -> schemas.Admission:
        return await decisions.decide(principal, admission_id, data)

    @post(
        "/{admission_id:uuid}/documents",
        guards=[role_in("provider")],
        status_code=201,
        summary="Attach an evidence document (multipart: file), archived commissioner-only",
    )
    async def attach(
        self,
        principal: SignedIn,
        admission_id: FromPath[UUID],
        data: Annotated[schemas.EvidenceUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Admission:
        content = await data.file.read()
        await data.file.close()
        return await admissions.attach_evidence(
            principal, admission_id, data.file.filename, content
        )


class BlockApi(Controller):
    path = "/api/v1/blocks"
    tags = ["admissions"]
    guards = [role_in(*COMMISSIONER_ROLES)]

    @post("/", status_code=201, summary="Block a provider from your call-offs")
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.BlockCreate]
    ) -> schemas.Block:
        return await blocks.block(principal, data)

    @get("/", summary="Your blocks, newest first")
    async def index(
        self,
        principal: SignedIn,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        active: Annotated[
            bool | None, QueryParameter(description="only active (true) or lifted (false)")
        ] = None,
    ) -> schemas.BlockPage:
        return await blocks.list_blocks(principal, limit, cursor, active)

    @delete(
        "/{block_id:uuid}",
        status_code=200,
        summary="Lift a block (optional JSON body: {reason})",
    )
    async def remove(
        self,
        principal: SignedIn,
        block_id: FromPath[UUID],
        data: JSONBody[schemas.Unblock | None] = None,
    ) -> schemas.Block:
        return await blocks.unblock(principal, block_id, data.reason if data else None)
