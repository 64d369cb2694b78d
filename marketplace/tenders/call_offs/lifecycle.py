"""The moves of a call-off between statuses, the one way any status changes; and its later life,
for the awards domain: what it needs to know to evaluate and award one, and what becomes of its
packages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Column

from marketplace.audit.service import record
from marketplace.db import for_update, write_transaction
from marketplace.errors import NotFound
from marketplace.principal import Principal
from marketplace.tenders.call_offs import schemas
from marketplace.tenders.call_offs.queries import call_off_facts
from marketplace.tenders.call_offs.status import CallOffStatus, check_move
from marketplace.tenders.tables import (
    CallOff,
    CallOffArea,
    CallOffDocument,
    CallOffPackage,
    Package,
)


@dataclass(frozen=True)
class AwardTerms:
    """A call-off as the award engine sees it."""

    call_off_id: UUID
    commissioner_id: UUID
    lot_id: UUID
    kind: str
    title: str
    status: CallOffStatus
    deadline: datetime
    max_hourly_rate_pence: int
    # Enablement and cluster: the envelope in force; pilot: the explicit one per area, if any.
    envelope_weekly_pence: int | None
    total_weekly_hours: Decimal
    min_bids: int
    standstill_working_days: int
    latest_start: Any  # date | None (cluster)
    pilot: schemas.PilotTerms | None
    package_ids: list[UUID]
    enablement: schemas.EnablementTerms | None = None
    # Sourced wider (docs/design.md 3.5): admission to the lot in any area passes the area gate.
    wider: bool = False


async def award_terms(call_off_id: UUID, *, lock: bool = False) -> AwardTerms | None:
    """The call-off's terms for evaluation and award; locked until the caller's transaction ends
    when `lock` is set (on PostgreSQL; SQLite's IMMEDIATE transaction already serialises)."""
    query = CallOff.select(*CallOff.all_columns(), CallOff.lot.code.as_alias("lot_code")).where(
        CallOff.id == call_off_id
    )
    if lock:
        await for_update(CallOff.select(CallOff.id).where(CallOff.id == call_off_id))
    row = await query.first()
    if row is None:
        return None
    facts = await call_off_facts(row)
    envelope = facts["envelope"]
    cluster = facts["terms"]["cluster"]
    return AwardTerms(
        call_off_id=row["id"],
        commissioner_id=row["commissioner"],
        lot_id=row["lot"],
        kind=row["kind"],
        title=row["title"],
        status=CallOffStatus(row["status"]),
        deadline=row["deadline"],
        max_hourly_rate_pence=row["max_hourly_rate_pence"],
        envelope_weekly_pence=envelope.weekly_pence if envelope else row["envelope_weekly_pence"],
        total_weekly_hours=facts["total_weekly_hours"],
        min_bids=row["min_bids"],
        standstill_working_days=row["standstill_working_days"],
        latest_start=cluster.latest_start if cluster else None,
        pilot=facts["terms"]["pilot"],
        package_ids=facts["package_ids"],
        enablement=facts["terms"]["enablement"],
        wider=row["sourcing"] == "wider",
    )


async def move_call_off(
    call_off_id: UUID,
    to: CallOffStatus,
    *,
    actor: Principal | None,
    action: str,
    details: dict[str, Any] | None = None,
    also_set: Mapping[Column, Any] | None = None,
) -> None:
    """Move the call-off to status `to` (inside the caller's transaction, under the row's lock):
    refused with WrongState unless the lifecycle's table allows the move from where it is. The one
    audit event of the use case that moves it is written here, as `action` with its `details` and
    the move (`from_status`, `to_status`); `also_set` are columns changed with the status (the
    moment it was published, the reason it was cancelled)."""
    async with write_transaction():
        row = await for_update(
            CallOff.select(CallOff.status, CallOff.commissioner).where(CallOff.id == call_off_id)
        ).first()
        if row is None:
            raise NotFound("No such call-off")
        check_move(row["status"], to)
        values: dict[Column | str, Any] = dict((also_set or {}).items())
        values[CallOff.status] = to
        await CallOff.update(values).where(CallOff.id == call_off_id)
        await record(
            actor,
            action,
            "call_off",
            call_off_id,
            organisation_id=row["commissioner"],
            details={**(details or {}), "from_status": row["status"], "to_status": to},
        )


async def call_off_areas(call_off_id: UUID) -> dict[str, dict[str, Any]]:
    """The call-off's areas by code: each one's id and name."""
    rows = await CallOffArea.select(
        CallOffArea.area.as_alias("id"),
        CallOffArea.area.code.as_alias("code"),
        CallOffArea.area.name.as_alias("name"),
    ).where(CallOffArea.call_off == call_off_id)
    return {row["code"]: row for row in rows}


async def _package_ids(call_off_id: UUID) -> list[UUID]:
    return [
        p["package"]
        for p in await CallOffPackage.select(CallOffPackage.package).where(
            CallOffPackage.call_off == call_off_id
        )
    ]


async def return_packages_for_contingency(call_off_id: UUID) -> list[UUID]:
    """A call-off without an award puts its packages back on the waiting list, flagged for
    contingency sourcing (docs/design.md, section 4.10)."""
    package_ids = await _package_ids(call_off_id)
    if package_ids:
        # The first time counts: the contingency clock does not restart on a second failure.
        await Package.update({Package.contingency_since: datetime.now(UTC)}).where(
            Package.id.is_in(package_ids) & Package.contingency_since.is_null()
        )
        await Package.update(
            {Package.status: "waiting", Package.contingency_reason: "no_award"}
        ).where(Package.id.is_in(package_ids))
    return package_ids


async def start_contingency_clocks(package_ids: list[UUID], now: datetime) -> None:
    """Publication offers the packages: a package's contingency clock starts at its first offer
    and keeps running through cancellations and re-publications (docs/design.md 3.5)."""
    await Package.update({Package.first_offered_at: now}).where(
        Package.id.is_in(package_ids) & Package.first_offered_at.is_null()
    )
    await Package.update({Package.contingency_reason: "waiting"}).where(
        Package.id.is_in(package_ids) & Package.contingency_reason.is_null()
    )


async def award_packages(call_off_id: UUID) -> list[dict[str, Any]]:
    """At conclusion the call-off's packages become awarded care: their ids, areas and weekly
    hours."""
    package_ids = await _package_ids(call_off_id)
    if not package_ids:
        return []
    await Package.update(
        {
            Package.status: "awarded",
            Package.contingency_since: None,
            Package.first_offered_at: None,
            Package.contingency_reason: None,
        }
    ).where(Package.id.is_in(package_ids))
    rows: list[dict[str, Any]] = (
        await Package.select(Package.id, Package.area, Package.weekly_hours)
        .where(Package.id.is_in(package_ids))
        .order_by(Package.reference)
    )
    return rows


async def enablement_terms(call_off_id: UUID) -> schemas.EnablementTerms | None:
    """An enablement request's budget, weeks and enabling outcomes (None for other kinds)."""
    row = await CallOff.select(CallOff.kind, CallOff.terms).where(CallOff.id == call_off_id).first()
    if row is None or row["kind"] != "enablement":
        return None
    return msgspec.json.decode(row["terms"], type=schemas.EnablementTerms)


async def call_off_document_ids(call_off_id: UUID) -> list[UUID]:
    """The archived documents attached to the call-off (its specification, maps ...)."""
    rows = await CallOffDocument.select(CallOffDocument.document_id).where(
        CallOffDocument.call_off == call_off_id
    )
    return [row["document_id"] for row in rows]
