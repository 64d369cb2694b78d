"""The opportunity feed: the call-offs a provider is invited to, as it may see them (no package
references, no postcodes, nothing of another provider)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from marketplace.errors import NotAllowed, NotFound
from marketplace.pagination import check_limit, decode_moment_cursor, encode_cursor
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.queries import call_off_facts
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.tenders.tables import CallOff, Invitation


def _provider_of(actor: Principal) -> UUID:
    return actor.provider_organisation(NotAllowed("Only providers have an opportunity feed"))


async def _opportunity(row: dict[str, Any], your_areas: list[str]) -> schemas.Opportunity:
    facts = await call_off_facts(row)
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
        seconds_left=max(0, int((row["deadline"] - datetime.now(UTC)).total_seconds())),
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


async def opportunity_feed(
    actor: Principal, status: str | None, limit: int, cursor: str | None
) -> schemas.OpportunityPage:
    """The call-offs this provider is invited to (those open for bids by default), soonest deadline
    first; never another provider's data, never a package's reference or postcode."""
    provider_id = _provider_of(actor)
    check_limit(limit)
    query = Invitation.select(
        Invitation.area_codes,
        *[getattr(Invitation.call_off, column._meta.name) for column in CallOff._meta.columns],
        Invitation.call_off._.lot._.code.as_alias("lot_code"),
    ).where(
        (Invitation.provider == provider_id)
        & Invitation.call_off.status.is_in([status] if status else sorted(OPEN_FOR_BIDS))
    )
    if cursor:
        query = query.where(Invitation.call_off.deadline > decode_moment_cursor(cursor))
    rows = await query.order_by(Invitation.call_off.deadline).limit(limit + 1)
    items = []
    for raw in rows[:limit]:
        row = {key.removeprefix("call_off."): value for key, value in raw.items()}
        items.append(await _opportunity(row, msgspec.json.decode(raw["area_codes"])))
    next_cursor = (
        encode_cursor(rows[limit - 1]["call_off.deadline"].isoformat())
        if len(rows) > limit
        else None
    )
    return schemas.OpportunityPage(items=items, next_cursor=next_cursor)


async def opportunity(actor: Principal, call_off_id: UUID) -> schemas.Opportunity:
    """One call-off this provider is invited to; 404 for any other."""
    page_rows = await Invitation.select(
        Invitation.area_codes,
        *[getattr(Invitation.call_off, column._meta.name) for column in CallOff._meta.columns],
        Invitation.call_off._.lot._.code.as_alias("lot_code"),
    ).where(
        # A guest supplier's pass reaches here only for its own call-off (bids/guest_pages.py).
        (Invitation.provider == actor.bidder_organisation(NotAllowed("Only providers bid")))
        & (Invitation.call_off == call_off_id)
    )
    if not page_rows:
        raise NotFound("No such call-off")
    raw = page_rows[0]
    row = {key.removeprefix("call_off."): value for key, value in raw.items()}
    return await _opportunity(row, msgspec.json.decode(raw["area_codes"]))


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
