"""The opportunity feed: the call-offs a provider is invited to, as it may see them (no package
references, no postcodes, nothing of another provider)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import msgspec

from marketplace.db import is_postgres
from marketplace.errors import NotAllowed, NotFound
from marketplace.pagination import (
    check_limit,
    decode_moment_id_cursor,
    encode_moment_id_cursor,
)
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.bidding import package_tallies, packages_envelope
from marketplace.tenders.call_offs.envelope import PackageHours
from marketplace.tenders.call_offs.queries import terms_of
from marketplace.tenders.call_offs.status import OPEN_FOR_BIDS
from marketplace.tenders.tables import CallOff


def _provider_of(actor: Principal) -> UUID:
    return actor.provider_organisation(NotAllowed("Only providers have an opportunity feed"))


# One hand-written statement for a page with all its facts (the feed runs for every provider's
# look at its opportunities; Piccolo's query building cost a fifth of a request): the page of the
# provider's invitations with their call-offs and lots, then each call-off's areas (with their
# names), packages and documents as JSON arrays of arrays, read for the page's rows only (the
# page is cut first, in the inner query). {agg} and {row} are the engine's JSON aggregate and
# array; {where} the status, keyset or call-off condition.
_FEED_SQL = """
SELECT page.*,
  (SELECT {agg}({row}(a.code, a.name, ca.weekly_hours))
   FROM call_off_area ca JOIN area a ON a.id = ca.area WHERE ca.call_off = page.id) AS areas,
  (SELECT {agg}({row}(p.rurality, p.weekly_hours, p.service_level))
   FROM call_off_package cp JOIN package p ON p.id = cp.package
   WHERE cp.call_off = page.id) AS packages,
  (SELECT {agg}({row}(d.document_id, d.filename))
   FROM call_off_document d WHERE d.call_off = page.id) AS documents
FROM (
  SELECT i.area_codes AS area_codes, c.id AS id, c.kind AS kind, c.title AS title,
         c.status AS status, c.deadline AS deadline,
         c.max_hourly_rate_pence AS max_hourly_rate_pence,
         c.envelope_base_rate_pence AS envelope_base_rate_pence,
         c.envelope_weekly_pence AS envelope_weekly_pence, c.terms AS terms,
         c.rurality_weights AS rurality_weights, c.cancelled_at AS cancelled_at,
         l.code AS lot_code, l.name AS lot_name,
         l.one_provider_per_area AS one_provider_per_area
  FROM invitation i JOIN call_off c ON c.id = i.call_off JOIN lot l ON l.id = c.lot
  WHERE i.provider = {{}} AND {where}
  ORDER BY c.deadline, c.id
  LIMIT {limit}
) page
ORDER BY page.deadline, page.id
"""
_JSON = {True: ("json_agg", "json_build_array"), False: ("json_group_array", "json_array")}


def _feed_sql(where: str, limit: int) -> str:
    agg, row = _JSON[is_postgres()]
    return _FEED_SQL.format(agg=agg, row=row, where=where, limit=int(limit))


_Areas = list[tuple[str, str, Decimal | None]]
_Packages = list[tuple[str, Decimal, str]]
_Documents = list[tuple[UUID, str]]


@dataclass(frozen=True)
class _Facts:
    """What a call-off's opportunity shares with every provider's view of it."""

    area_codes: list[str]
    area_names: dict[str, str]
    package_count: int
    total_weekly_hours: Decimal
    envelope_weekly_pence: int | None
    rurality_mix: dict[str, int]
    service_levels: dict[str, int]
    documents: list[schemas.CallOffDocument]
    terms: Mapping[str, Any]


@lru_cache(maxsize=4096)
def _facts(
    kind: str,
    terms: str,
    rurality_weights: str,
    base_rate_pence: int,
    explicit_weekly_pence: int | None,
    areas_json: str | None,
    packages_json: str | None,
    documents_json: str | None,
) -> _Facts:
    """The facts of a call-off from its row and its aggregated areas, packages and documents: a
    pure function of what the statement read, so remembered by those values (the same call-off
    shows in many providers' feeds; a changed row or child row reads as new text, never stale).
    Read-only: its lists and dicts are shared by the answers that show them."""
    areas = msgspec.json.decode(areas_json or "[]", type=_Areas)
    packages = msgspec.json.decode(packages_json or "[]", type=_Packages)
    mix, levels = package_tallies([(rurality, level) for rurality, _, level in packages])
    envelope_pence = explicit_weekly_pence
    if packages:
        envelope = packages_envelope(
            base_rate_pence,
            rurality_weights,
            [
                PackageHours("", rurality, Decimal(hours).quantize(Decimal("0.01")))
                for rurality, hours, _ in packages
            ],
            explicit_weekly_pence,
        )
        envelope_pence = envelope.weekly_pence
        hours = envelope.total_weekly_hours
    else:
        hours = sum((Decimal(h or 0) for _, _, h in areas), Decimal("0.00"))
    return _Facts(
        area_codes=[code for code, _, _ in areas],
        area_names={code: name for code, name, _ in areas},
        package_count=len(packages),
        total_weekly_hours=Decimal(hours).quantize(Decimal("0.01")),
        envelope_weekly_pence=envelope_pence,
        rurality_mix=mix,
        service_levels=levels,
        documents=[
            schemas.CallOffDocument(id=document_id, filename=filename)
            for document_id, filename in msgspec.json.decode(
                documents_json or "[]", type=_Documents
            )
        ],
        terms=terms_of(kind, terms),
    )


def _opportunity(row: dict[str, Any], now: datetime) -> tuple[schemas.Opportunity, _Facts]:
    facts = _facts(
        row["kind"],
        row["terms"],
        row["rurality_weights"],
        row["envelope_base_rate_pence"],
        row["envelope_weekly_pence"],
        row["areas"],
        row["packages"],
        row["documents"],
    )
    opportunity = schemas.Opportunity(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        status=row["status"],
        lot_code=row["lot_code"],
        area_codes=facts.area_codes,
        your_area_codes=msgspec.json.decode(row["area_codes"], type=list[str]),
        deadline=row["deadline"],
        seconds_left=max(0, int((row["deadline"] - now).total_seconds())),
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_weekly_pence=facts.envelope_weekly_pence,
        package_count=facts.package_count,
        total_weekly_hours=facts.total_weekly_hours,
        rurality_mix=facts.rurality_mix,
        service_levels=facts.service_levels,
        documents=facts.documents,
        one_provider_per_area=bool(row["one_provider_per_area"]),
        cancelled_at=row["cancelled_at"],
        **facts.terms,
    )
    return opportunity, facts


@dataclass(frozen=True)
class NamedPage:
    """A page of the feed with the names of the area and lot codes it shows (for the page)."""

    page: schemas.OpportunityPage
    area_names: dict[str, str]
    lot_names: dict[str, str]


async def opportunity_feed_with_names(
    actor: Principal, status: str | None, limit: int, cursor: str | None
) -> NamedPage:
    """The call-offs this provider is invited to (those open for bids by default), soonest deadline
    first (ties by id), a page after the cursor (keyset: the last deadline and id given); never
    another provider's data, never a package's reference or postcode. One statement, whatever
    the page size: the page with its call-offs' lots, areas, packages and documents (and the
    names of the areas and lots it shows)."""
    provider_id = _provider_of(actor)
    check_limit(limit)
    statuses = [status] if status else sorted(OPEN_FOR_BIDS)
    where = f"c.status IN ({', '.join('{}' for _ in statuses)})"
    args: list[Any] = [provider_id, *statuses]
    if cursor:
        after, last_id = decode_moment_id_cursor(cursor)
        if last_id is None:  # a cursor of the deadline alone (given out before the id was)
            where += " AND c.deadline > {}"
            args.append(after)
        else:
            # A row comparison: PostgreSQL starts the index walk at the pair (an index condition
            # on (status, deadline, id)) instead of filtering every earlier call-off.
            where += " AND (c.deadline, c.id) > ({}, {})"
            args += [after, last_id]
    rows = await CallOff.raw(_feed_sql(where, limit + 1), *args)
    now = datetime.now(UTC)
    items, area_names, lot_names = [], {}, {}
    for row in rows[:limit]:
        opportunity, facts = _opportunity(row, now)
        items.append(opportunity)
        area_names.update(facts.area_names)
        lot_names[row["lot_code"]] = row["lot_name"]
    next_cursor = (
        encode_moment_id_cursor(items[-1].deadline, items[-1].id) if len(rows) > limit else None
    )
    return NamedPage(
        schemas.OpportunityPage(items=items, next_cursor=next_cursor), area_names, lot_names
    )


async def opportunity_feed(
    actor: Principal, status: str | None, limit: int, cursor: str | None
) -> schemas.OpportunityPage:
    """opportunity_feed_with_names without the names (the API answers codes)."""
    return (await opportunity_feed_with_names(actor, status, limit, cursor)).page


async def opportunity(actor: Principal, call_off_id: UUID) -> schemas.Opportunity:
    """One call-off this provider is invited to; 404 for any other."""
    # A guest supplier's pass reaches here only for its own call-off (bids/guest_pages.py).
    provider_id = actor.bidder_organisation(NotAllowed("Only providers bid"))
    rows = await CallOff.raw(_feed_sql("c.id = {}", 1), provider_id, call_off_id)
    if not rows:
        raise NotFound("No such call-off")
    return _opportunity(rows[0], datetime.now(UTC))[0]


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
