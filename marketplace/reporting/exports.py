"""The exports (docs/design.md, "Reporting"): each list page's rows as CSV or XLSX, filtered as the
page filters them, read through the owning domain's own list function a page at a time (keyset
pagination, so another commissioner's rows are never read and memory does not grow with the
rows). Each export is data: its filters, its columns and the list function it pages through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from marketplace.awards import queries as awards
from marketplace.care import service as care
from marketplace.care.words import CARE_STATUSES
from marketplace.errors import BadInput, FieldError, RuleBroken
from marketplace.kpi import service as kpi
from marketplace.pagination import MAX_LIMIT, decode_cursor
from marketplace.principal import Principal
from marketplace.tenders.call_offs import queries as call_offs
from marketplace.tenders.call_offs.status import CallOffStatus
from marketplace.tenders.waiting_list import packages, placements
from marketplace.web.exports import Column

Filters = dict[str, str | None]
Lister = Callable[[Principal, Filters, int, str | None], Awaitable[tuple[list[Any], str | None]]]


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    filters: tuple[str, ...]
    columns: list[Column]
    lister: Lister


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _call_off(f: Filters) -> UUID:
    """The call-off an evaluation or award export is of (required)."""
    found = _uuid(f["call_off_id"])
    if found is None:
        # Required by this export only, which no schema of the shared route can say: a rule.
        raise RuleBroken(
            "Say which call-off", [FieldError("call_off_id", "must be a call-off's id")]
        )
    return found


async def _evaluation(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    # One call-off's evaluation, shown whole (not paged).
    if cursor:
        return [], None
    return (await awards.get_evaluation(actor, _call_off(f))).items, None


async def _award(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    if cursor:
        return [], None
    terms = await awards.own_terms(actor, _call_off(f))
    return (await awards.award_view(terms)).awards, None


async def _waiting_list(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    page = await packages.list_packages(
        actor,
        limit,
        cursor,
        status="waiting",
        area_code=f["area_code"],
        urgency=f["urgency"],
        service_level=f["service_level"],
    )
    return page.items, page.next_cursor


async def _call_offs(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    status = f["status"] if f["status"] in CallOffStatus.__members__.values() else None
    if cursor:
        try:
            datetime.fromisoformat(decode_cursor(cursor))
        except ValueError:
            raise BadInput(
                "The cursor is not one this API gave out", [FieldError("cursor", "is not valid")]
            ) from None
    page = await call_offs.list_call_offs(actor, status, limit, cursor)
    return page.items, page.next_cursor


async def _care(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    page = await care.list_care(
        actor,
        limit,
        cursor,
        status=f["status"] if f["status"] in CARE_STATUSES else None,
        area_code=f["area_code"],
        provider_id=_uuid(f["provider_id"]),
        late={"yes": True, "no": False}.get(f["late"] or ""),
    )
    return page.items, page.next_cursor


def _figure(kind: str, value: str | None) -> Decimal | str | None:
    """A KPI's value as a number (a spreadsheet sums it), unless the KPI is in words."""
    if kind == "text" or value is None:
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


async def _kpi_returns(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    return await kpi.answer_rows(actor, kpi.return_filters(f), limit, cursor)


async def _placements(
    actor: Principal, f: Filters, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    return await placements.list_placements(actor, limit, cursor)


EXPORTS = {
    e.name: e
    for e in [
        Export(
            "waiting-list",
            "Waiting list",
            ("area_code", "urgency", "service_level"),
            [
                Column("Reference", lambda p: p.reference),
                Column("Area", lambda p: p.area_code),
                Column("Weekly hours", lambda p: p.weekly_hours),
                Column("Service level", lambda p: p.service_level),
                Column("Rurality", lambda p: p.rurality),
                Column("Urgency", lambda p: p.urgency),
                Column("Urgency reason", lambda p: p.urgency_reason),
                Column("Start by", lambda p: p.start_by),
                Column("Added", lambda p: p.created_at),
                Column("Handed back", lambda p: p.handed_back_at),
            ],
            _waiting_list,
        ),
        Export(
            "call-offs",
            "Call-offs",
            ("status",),
            [
                Column("Call-off", lambda c: c.id),
                Column("Title", lambda c: c.title),
                Column("Kind", lambda c: c.kind),
                Column("Status", lambda c: c.status),
                Column("Lot", lambda c: c.lot_code),
                Column("Areas", lambda c: " ".join(c.area_codes)),
                Column("Weekly hours", lambda c: c.total_weekly_hours),
                Column("Maximum hourly rate (pence)", lambda c: c.max_hourly_rate_pence),
                Column("Envelope base rate (pence)", lambda c: c.envelope_base_rate_pence),
                Column("Envelope weekly (pence)", lambda c: c.envelope_weekly_pence),
                Column("Deadline", lambda c: c.deadline),
                Column("Published", lambda c: c.published_at),
                Column("Bids", lambda c: c.bid_count),
                Column("Created", lambda c: c.created_at),
            ],
            _call_offs,
        ),
        Export(
            "evaluation",
            "Evaluation",
            ("call_off_id",),
            [
                Column("Bid", lambda i: i.bid_id),
                Column("Provider", lambda i: i.provider_name),
                Column("Area", lambda i: i.area_code),
                Column("Rank", lambda i: i.rank),
                Column("Compliant", lambda i: i.compliant),
                Column("Winner", lambda i: i.winner),
                Column("Exclusions", lambda i: "; ".join(i.exclusions)),
                Column("Flags", lambda i: " ".join(i.flags)),
                Column("Reason", lambda i: i.reason),
            ],
            _evaluation,
        ),
        Export(
            "award",
            "Award",
            ("call_off_id",),
            [
                Column("Bid", lambda a: a.bid_id),
                Column("Provider", lambda a: a.provider_name),
                Column("Area", lambda a: a.area_code),
                Column("Hourly rate (pence)", lambda a: a.hourly_rate_pence),
                Column("Mobilisation date", lambda a: a.mobilisation_date),
            ],
            _award,
        ),
        Export(
            "care",
            "Awarded care",
            ("status", "area_code", "provider_id", "late"),
            [
                Column("Care", lambda c: c.id),
                Column("Call-off", lambda c: c.call_off_title),
                Column("Package", lambda c: c.package_reference),
                Column("Area", lambda c: c.area_code),
                Column("Provider", lambda c: c.provider_name),
                Column("Status", lambda c: c.status),
                Column("Hourly rate (pence)", lambda c: c.hourly_rate_pence),
                Column("Weekly hours awarded", lambda c: c.awarded_weekly_hours),
                Column("Weekly hours now", lambda c: c.weekly_hours),
                Column("Promised mobilisation", lambda c: c.promised_mobilisation_date),
                Column("Actual start", lambda c: c.actual_start),
                Column("Late start", lambda c: c.late_start),
                Column("Awarded", lambda c: c.awarded_at),
                Column("Handed back", lambda c: c.handed_back_at),
                Column("Ended", lambda c: c.ended_at),
            ],
            _care,
        ),
        Export(
            "placements",
            "Off-framework placements",
            (),
            [
                Column("Package", lambda p: p.reference),
                Column("Lot", lambda p: p.lot_code),
                Column("Supplier", lambda p: p.supplier_name),
                Column("Hourly rate (pence)", lambda p: p.hourly_rate_pence),
                Column("Weekly hours", lambda p: p.weekly_hours),
                Column("Start", lambda p: p.start_date),
                Column("Reason", lambda p: p.reason),
                Column("Placed", lambda p: p.placed_at),
            ],
            _placements,
        ),
        Export(
            "kpi-returns",
            "KPI returns",
            ("lot", "quarter", "provider_id", "status"),
            [
                Column("Return", lambda a: a.return_id),
                Column("Provider", lambda a: a.provider_name),
                Column("Lot", lambda a: a.lot_name),
                Column("Quarter", lambda a: a.quarter),
                Column("Due", lambda a: a.due_on),
                Column("Status", lambda a: a.status),
                Column("KPI reference", lambda a: a.reference),
                Column("Measure", lambda a: a.measure),
                Column("Kind", lambda a: a.kind),
                Column("Pre-filled value", lambda a: _figure(a.kind, a.prefilled_value)),
                Column("Pre-filled reasons", lambda a: a.prefilled_reasons),
                Column("Value", lambda a: _figure(a.kind, a.value)),
                Column("Reasons", lambda a: a.reasons),
                Column("Corrected", lambda a: a.corrected),
                Column("Submitted", lambda a: a.submitted_at),
                Column("SHA-256", lambda a: a.sha256),
            ],
            _kpi_returns,
        ),
    ]
}


def filters_of(export: Export, query: Any) -> Filters:
    """The page's filters from a query string (as the page reads them: blank is none)."""
    return {name: query.get(name) or None for name in export.filters}


async def all_rows(
    export: Export, actor: Principal, filters: Filters, page_size: int = MAX_LIMIT
) -> AsyncIterator[Any]:
    """Every row the page would list under these filters, a page at a time."""
    cursor: str | None = None
    while True:
        items, cursor = await export.lister(actor, filters, page_size, cursor)
        for item in items:
            yield item
        if cursor is None:
            return
