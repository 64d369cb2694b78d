"""The opportunity feed: the call-offs a provider is invited to, as it may see them (no package
references, no postcodes, nothing of another provider)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.errors import NotAllowed, NotFound
from marketplace.pagination import (
    check_limit,
    decode_moment_id_cursor,
    encode_moment_id_cursor,
)
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.queries import call_offs_facts
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.tenders.tables import CallOff, Invitation


def _provider_of(actor: Principal) -> UUID:
    return actor.provider_organisation(NotAllowed("Only providers have an opportunity feed"))


def _opportunity(
    row: dict[str, Any], your_areas: list[str], facts: dict[str, Any], now: datetime
) -> schemas.Opportunity:
    envelope = facts["envelope"]
    return schemas.Opportunity(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        status=row["status"],
        lot_code=row["lot_code"],
        area_codes=facts["area_codes"],
        your_area_codes=your_areas,
        deadline=row["deadline"],
        seconds_left=max(0, int((row["deadline"] - now).total_seconds())),
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_weekly_pence=envelope.weekly_pence if envelope else row["envelope_weekly_pence"],
        package_count=len(facts["package_ids"]),
        total_weekly_hours=facts["total_weekly_hours"],
        rurality_mix=facts["rurality_mix"],
        service_levels=facts["service_levels"],
        documents=facts["documents"],
        one_provider_per_area=facts["one_provider_per_area"],
        cancelled_at=row["cancelled_at"],
        **facts["terms"],
    )


# The joined columns the feed reads, made once: Piccolo copies a joined column at every attribute
# access of a foreign key, which cost a request of the feed a fifth of its time.
_COLUMNS = (
    Invitation.area_codes,
    *[getattr(Invitation.call_off, column._meta.name) for column in CallOff._meta.columns],
    Invitation.call_off._.lot._.code.as_alias("lot_code"),
    Invitation.call_off._.lot._.one_provider_per_area.as_alias("one_provider_per_area"),
)
_DEADLINE = Invitation.call_off.deadline
_STATUS = Invitation.call_off.status


def _invitations() -> Any:
    """The invitations with their call-offs' columns (as `call_off.<column>`), lot code and the
    lot's rule of one provider per area."""
    return Invitation.select(*_COLUMNS)


async def _opportunities(raw_rows: list[dict[str, Any]]) -> list[schemas.Opportunity]:
    """The invitations' call-offs as opportunities: a fixed number of queries for any number
    (the call-offs' facts are read for all of them at once)."""
    rows = [
        {key.removeprefix("call_off."): value for key, value in raw.items()} for raw in raw_rows
    ]
    facts = await call_offs_facts(rows)
    now = datetime.now(UTC)
    return [
        _opportunity(row, msgspec.json.decode(row["area_codes"]), facts[row["id"]], now)
        for row in rows
    ]


async def opportunity_feed(
    actor: Principal, status: str | None, limit: int, cursor: str | None
) -> schemas.OpportunityPage:
    """The call-offs this provider is invited to (those open for bids by default), soonest deadline
    first (ties by id), a page after the cursor (keyset: the last deadline and id given); never
    another provider's data, never a package's reference or postcode. Four queries, whatever the
    page size: the page (with the lots' rule), then the areas, packages and documents of all its
    call-offs."""
    provider_id = _provider_of(actor)
    check_limit(limit)
    deadline = _DEADLINE
    query = _invitations().where(
        (Invitation.provider == provider_id)
        & _STATUS.is_in([status] if status else sorted(OPEN_FOR_BIDS))
    )
    if cursor:
        after, last_id = decode_moment_id_cursor(cursor)
        query = query.where(
            (deadline > after)
            if last_id is None  # a cursor of the deadline alone (given out before the id was)
            else (deadline > after) | ((deadline == after) & (Invitation.call_off > last_id))
        )
    rows = await query.order_by(deadline, Invitation.call_off).limit(limit + 1)
    items = await _opportunities(rows[:limit])
    next_cursor = (
        encode_moment_id_cursor(items[-1].deadline, items[-1].id) if len(rows) > limit else None
    )
    return schemas.OpportunityPage(items=items, next_cursor=next_cursor)


async def opportunity(actor: Principal, call_off_id: UUID) -> schemas.Opportunity:
    """One call-off this provider is invited to; 404 for any other."""
    page_rows = await _invitations().where(
        # A guest supplier's pass reaches here only for its own call-off (bids/guest_pages.py).
        (Invitation.provider == actor.bidder_organisation(NotAllowed("Only providers bid")))
        & (Invitation.call_off == call_off_id)
    )
    if not page_rows:
        raise NotFound("No such call-off")
    return (await _opportunities(page_rows[:1]))[0]


class CallOffSummary(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    status: str
    deadline: datetime


async def call_off_summaries(call_off_ids: list[UUID]) -> dict[UUID, CallOffSummary]:
    """The title, kind, status and deadline of these call-offs, for a provider's list of its own
    bids (the caller has already limited the ids to call-offs it bid in)."""
    if not call_off_ids:
        return {}
    rows = await CallOff.select(
        CallOff.id, CallOff.kind, CallOff.title, CallOff.status, CallOff.deadline
    ).where(CallOff.id.is_in(call_off_ids))
    return {row["id"]: CallOffSummary(**row) for row in rows}
