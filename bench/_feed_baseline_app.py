"""The baseline of the opportunity feed bench (bench/feed.py): the least a Litestar + Piccolo
endpoint can do for the same page. One GET that reads a provider's invitations to open call-offs
with their call-offs' columns and lot code, soonest deadline first, after the same keyset cursor,
in one query, and answers them as JSON. No authentication, no areas, packages or documents, no
envelope: one query and the encoding.

Served by uvicorn exactly as the app is (`bench._feed_baseline_app:create_app`, factory), with
DATABASE_URL pointing at the bench's database and the same connection pool as the app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar, get
from piccolo.columns import UUID as UUIDColumn
from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from bench._baseline_app import plain_app
from marketplace.pagination import decode_moment_id_cursor, encode_moment_id_cursor

PATH = "/plain/opportunities/{provider_id:uuid}"


class PlainLot(Table, tablename="lot"):
    id = UUIDColumn(primary_key=True)
    code = Varchar(length=16)


class PlainCallOff(Table, tablename="call_off"):
    """The call-off columns an opportunity shows without working anything out."""

    id = UUIDColumn(primary_key=True)
    lot = ForeignKey(PlainLot)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    status = Varchar(length=16)
    deadline = Timestamptz()
    max_hourly_rate_pence = Integer()
    envelope_weekly_pence = Integer(null=True)
    terms = Text()


class PlainInvitation(Table, tablename="invitation"):
    id = UUIDColumn(primary_key=True)
    call_off = ForeignKey(PlainCallOff)
    provider = UUIDColumn()
    area_codes = Text()


class PlainOpportunity(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    status: str
    lot_code: str
    your_area_codes: str
    deadline: datetime
    max_hourly_rate_pence: int
    envelope_weekly_pence: int | None
    terms: str


class PlainPage(msgspec.Struct):
    items: list[PlainOpportunity]
    next_cursor: str | None


def bind(engine: PostgresEngine) -> None:
    for table in (PlainLot, PlainCallOff, PlainInvitation):
        table._meta.db = engine


@get(PATH)
async def opportunities(provider_id: UUID, limit: int = 50, cursor: str | None = None) -> PlainPage:
    call_off = PlainInvitation.call_off
    query: Any = PlainInvitation.select(
        call_off.id.as_alias("id"),
        call_off.kind.as_alias("kind"),
        call_off.title.as_alias("title"),
        call_off.status.as_alias("status"),
        call_off._.lot._.code.as_alias("lot_code"),
        PlainInvitation.area_codes.as_alias("your_area_codes"),
        call_off.deadline.as_alias("deadline"),
        call_off.max_hourly_rate_pence.as_alias("max_hourly_rate_pence"),
        call_off.envelope_weekly_pence.as_alias("envelope_weekly_pence"),
        call_off.terms.as_alias("terms"),
    ).where((PlainInvitation.provider == provider_id) & (call_off.status == "published"))
    if cursor:
        after, last_id = decode_moment_id_cursor(cursor)
        query = query.where(
            (call_off.deadline > after)
            | ((call_off.deadline == after) & (PlainInvitation.call_off > last_id))
        )
    rows = await query.order_by(call_off.deadline, PlainInvitation.call_off).limit(limit + 1)
    items = [PlainOpportunity(**row) for row in rows[:limit]]
    more = len(rows) > limit
    return PlainPage(
        items=items,
        next_cursor=encode_moment_id_cursor(items[-1].deadline, items[-1].id) if more else None,
    )


def create_app() -> Litestar:
    return plain_app([opportunities], bind)
