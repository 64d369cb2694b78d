"""JSON API of quality records: commissioner staff record and withdraw them and archive a visit's
report; they read their own organisation's records, a provider the ones about itself."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from marketplace.pagination import DEFAULT_LIMIT, Cursor, Limit
from marketplace.quality import queries, records, schemas
from marketplace.web.security import SignedIn, role_in

COMMISSIONER_STAFF = role_in("commissioner", "opener")
Kind = Literal["monitoring_visit", "safeguarding_concern", "upheld_complaint", "compliment"]


class QualityRecordApi(Controller):
    path = "/api/v1/quality-records"
    tags = ["quality records"]

    @post(
        "/",
        guards=[COMMISSIONER_STAFF],
        status_code=201,
        summary="Record a monitoring visit, safeguarding concern, upheld complaint or compliment",
    )
    async def create(
        self, principal: SignedIn, data: JSONBody[schemas.QualityRecordCreate]
    ) -> schemas.QualityRecord:
        return await records.record_quality(principal, data)

    @get(
        "/",
        guards=[role_in("commissioner", "opener", "provider")],
        summary="Quality records: your organisation's, or (a provider) those about you",
    )
    async def index(
        self,
        principal: SignedIn,
        provider_id: FromQuery[UUID | None] = None,
        kind: FromQuery[Kind | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.QualityRecordPage:
        return await queries.list_records(principal, limit, cursor, provider_id, kind)

    @get(
        "/{record_id:uuid}",
        guards=[role_in("commissioner", "opener", "provider")],
        summary="One quality record",
    )
    async def show(self, principal: SignedIn, record_id: FromPath[UUID]) -> schemas.QualityRecord:
        return await queries.get_record(principal, record_id)

    @post(
        "/{record_id:uuid}/report",
        guards=[COMMISSIONER_STAFF],
        status_code=201,
        summary="Archive a monitoring visit's report (multipart: file), once",
    )
    async def report(
        self,
        principal: SignedIn,
        record_id: FromPath[UUID],
        data: Annotated[schemas.ReportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.QualityRecord:
        content = await data.file.read()
        await data.file.close()
        return await records.attach_report(principal, record_id, data.file.filename, content)

    @post(
        "/{record_id:uuid}/withdraw",
        guards=[COMMISSIONER_STAFF],
        status_code=200,
        summary="Withdraw a record entered in error, with the reason",
    )
    async def withdraw(
        self,
        principal: SignedIn,
        record_id: FromPath[UUID],
        data: JSONBody[schemas.QualityRecordWithdrawal],
    ) -> schemas.QualityRecord:
        return await records.withdraw_record(principal, record_id, data)
