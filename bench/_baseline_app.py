"""The baseline of the bid submission bench (bench/bid_submission.py): the least a Litestar +
Piccolo endpoint can do for the same request. One PUT that decodes the same JSON body, inserts
as many plain rows as one bid submission writes (ROWS_PER_SUBMISSION, 3), one INSERT each, in one
transaction on PostgreSQL, and answers 201 with a small JSON body. No authentication, no
validation beyond the body's types, no sealing, no locks.

Served by uvicorn exactly as the app is (`bench._baseline_app:create_app`, factory), with
DATABASE_URL pointing at the bench's database and the same connection pool as the app.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar, put
from piccolo.columns import UUID as UUIDColumn
from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from marketplace.db import pool_options

# What one bid submission writes (marketplace/bids/service.py submit_bid): the bid row (inserted,
# or updated with the new version), one audit event, and one outbox email per active user of the
# provider (one here). No Idempotency-Key is sent, so no idempotency row.
ROW_KINDS = ("bid", "audit_event", "outbox_entry")
ROWS_PER_SUBMISSION = len(ROW_KINDS)
PATH = "/plain/{call_off_id:uuid}"


class BenchPlainRow(Table, tablename="bench_plain_row"):
    """A plain row: a few columns of the sizes the app writes, no foreign keys, no triggers."""

    call_off = UUIDColumn()
    kind = Varchar(length=32)
    received_at = Timestamptz()
    payload = Text()


class Submission(msgspec.Struct, forbid_unknown_fields=True):
    """The same body as a bid on an enablement call-off."""

    hourly_rate_pence: int
    accepts_enablement_budget: bool
    notes: str | None = None


class Written(msgspec.Struct):
    call_off_id: UUID
    received_at: datetime
    rows: int


def bind(engine: PostgresEngine) -> None:
    BenchPlainRow._meta.db = engine


@put(PATH, status_code=201)
async def write_rows(call_off_id: UUID, data: Submission) -> Written:
    received_at = datetime.now(UTC)
    payload = msgspec.json.encode(data).decode()
    engine = BenchPlainRow._meta.db
    async with engine.transaction():
        for kind in ROW_KINDS:
            await BenchPlainRow.insert(
                BenchPlainRow(
                    call_off=call_off_id, kind=kind, received_at=received_at, payload=payload
                )
            )
    return Written(call_off_id=call_off_id, received_at=received_at, rows=len(ROW_KINDS))


def plain_app(route_handlers: list[Any], bind: Callable[[PostgresEngine], None]) -> Litestar:
    """A Litestar app of these handlers on PostgreSQL (DATABASE_URL), its tables bound by `bind`,
    with the app's own connection pool settings: a baseline served exactly as the app is."""
    engine = PostgresEngine(config={"dsn": os.environ["DATABASE_URL"]})
    bind(engine)

    @asynccontextmanager
    async def pool(_: Litestar) -> AsyncIterator[None]:
        # The app's own pool settings (size and the light reset on release).
        await engine.start_connection_pool(**pool_options())
        try:
            yield
        finally:
            await engine.close_connection_pool()

    return Litestar(
        route_handlers=route_handlers, lifespan=[pool], debug=False, logging_config=None
    )


def create_app() -> Litestar:
    return plain_app([write_rows], bind)
