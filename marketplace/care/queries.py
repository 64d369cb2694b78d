"""What other domains may read of care: these functions, never the tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from marketplace.care.records import local_day
from marketplace.care.tables import AwardedCare, HoursVariation


@dataclass(frozen=True)
class CareFacts:
    """What the care records say of one provider with one commissioner since a moment: care
    awarded, care started, starts later than promised, and care handed back."""

    awarded: int = 0
    started: int = 0
    late_starts: int = 0
    hand_backs: int = 0


async def care_facts(
    commissioner_id: UUID, provider_ids: Iterable[UUID], since: datetime
) -> dict[UUID, CareFacts]:
    """For each of these providers, its recorded care with the commissioner since `since`:
    awarded then, started then (the actual start's day on or after since's day), late among
    those starts, and handed back then. Only recorded events count."""
    providers = list(provider_ids)
    if not providers:
        return {}
    first_day = local_day(since)
    rows = await AwardedCare.select(
        AwardedCare.provider,
        AwardedCare.awarded_at,
        AwardedCare.actual_start,
        AwardedCare.late_start,
        AwardedCare.handed_back_at,
    ).where(
        (AwardedCare.commissioner == commissioner_id)
        & AwardedCare.provider.is_in(providers)
        & (
            (AwardedCare.awarded_at >= since)
            | (AwardedCare.actual_start >= first_day)
            | (AwardedCare.handed_back_at >= since)
        )
    )
    counts = {provider: [0, 0, 0, 0] for provider in providers}
    for row in rows:
        count = counts[row["provider"]]
        count[0] += row["awarded_at"] >= since
        started = row["actual_start"] is not None and row["actual_start"] >= first_day
        count[1] += started
        count[2] += started and bool(row["late_start"])
        count[3] += row["handed_back_at"] is not None and row["handed_back_at"] >= since
    return {provider: CareFacts(*count) for provider, count in counts.items()}


# Awarded care that still occupies its area under a lot's one-provider-per-area rule.
CARE_IN_PLACE = ("awaiting_start", "active")


async def providers_in_areas(
    commissioner_id: UUID, lot_id: UUID, area_ids: Iterable[UUID]
) -> dict[UUID, set[UUID]]:
    """For each of these areas, the providers with care awaiting its start or active there,
    awarded by this commissioner in call-offs of this lot (docs/design.md 4.16)."""
    areas = list(area_ids)
    if not areas:
        return {}
    rows = await AwardedCare.select(AwardedCare.area, AwardedCare.provider).where(
        (AwardedCare.commissioner == commissioner_id)
        & (AwardedCare.call_off.lot == lot_id)
        & AwardedCare.area.is_in(areas)
        & AwardedCare.status.is_in(list(CARE_IN_PLACE))
    )
    found: dict[UUID, set[UUID]] = {area: set() for area in areas}
    for row in rows:
        found[row["area"]].add(row["provider"])
    return found


@dataclass(frozen=True)
class AwardedHours:
    """Weekly hours one award placed, as the framework share reads them: through the framework,
    unless the care was awarded to a guest supplier (docs/design.md 3.5)."""

    lot_code: str
    area_code: str
    weekly_hours: Decimal
    awarded_at: datetime
    through_framework: bool = True


async def awarded_hours(commissioner_id: UUID, since: datetime) -> list[AwardedHours]:
    """The commissioner's awarded care since `since`, each with its weekly hours at the award
    (not as later varied), whatever became of it afterwards."""
    rows = await AwardedCare.select(
        AwardedCare.call_off._.lot._.code.as_alias("lot_code"),
        AwardedCare.area._.code.as_alias("area_code"),
        AwardedCare.weekly_hours,
        AwardedCare.awarded_at,
        AwardedCare.provider._.kind.as_alias("provider_kind"),
    ).where((AwardedCare.commissioner == commissioner_id) & (AwardedCare.awarded_at >= since))
    return [
        AwardedHours(
            lot_code=row["lot_code"],
            area_code=row["area_code"],
            weekly_hours=Decimal(row["weekly_hours"]).quantize(Decimal("0.01")),
            awarded_at=row["awarded_at"],
            through_framework=row["provider_kind"] != "guest",
        )
        for row in rows
    ]


async def care_to_start(provider_id: UUID) -> list[Any]:
    """The provider's awarded care awaiting its start (id, call-off title, area, promised
    mobilisation date), soonest promised first: one query, for its home page."""
    return list(
        await AwardedCare.select(
            AwardedCare.id,
            AwardedCare.call_off.title.as_alias("title"),
            AwardedCare.area.code.as_alias("area_code"),
            AwardedCare.promised_mobilisation_date,
        )
        .where((AwardedCare.provider == provider_id) & (AwardedCare.status == "awaiting_start"))
        .order_by(AwardedCare.promised_mobilisation_date)
    )


@dataclass(frozen=True)
class CareOnLot:
    """One care record on a lot, as KPI returns read it (dates are Europe/London days)."""

    commissioner_id: UUID
    provider_id: UUID
    status: str
    awarded_on: date
    actual_start: date | None
    ended_on: date | None
    handed_back_on: date | None
    end_reason: str | None
    last_care_date: date | None
    area: str


async def care_on_lot(lot_id: UUID, awarded_by: date) -> list[CareOnLot]:
    """Every care record of call-offs on the lot awarded by `awarded_by` (the KPI returns decide
    which of them count in a quarter)."""
    rows = await AwardedCare.select(
        AwardedCare.commissioner,
        AwardedCare.provider,
        AwardedCare.status,
        AwardedCare.awarded_at,
        AwardedCare.actual_start,
        AwardedCare.ended_at,
        AwardedCare.handed_back_at,
        AwardedCare.end_reason,
        AwardedCare.last_care_date,
        AwardedCare.area.name.as_alias("area_name"),
    ).where(AwardedCare.call_off.lot == lot_id)
    found = []
    for row in rows:
        awarded_on = local_day(row["awarded_at"])
        if awarded_on > awarded_by:
            continue
        found.append(
            CareOnLot(
                commissioner_id=row["commissioner"],
                provider_id=row["provider"],
                status=row["status"],
                awarded_on=awarded_on,
                actual_start=row["actual_start"],
                ended_on=local_day(row["ended_at"])
                if row["ended_at"] and row["status"] == "ended"
                else None,
                handed_back_on=local_day(row["handed_back_at"]) if row["handed_back_at"] else None,
                end_reason=row["end_reason"],
                last_care_date=row["last_care_date"],
                area=row["area_name"],
            )
        )
    return found


@dataclass(frozen=True)
class CareForSpend:
    """One care record as spend reporting reads it: what it is for, its rate against its
    call-off's maximum and envelope base rate, its weekly hours awarded and now, when it ran, and
    each change of its hours applied or approved (effective from, weekly hours), in order."""

    care_id: UUID
    status: str
    lot_code: str
    area_code: str
    provider_name: str
    rurality: str | None  # null for a pilot's area (no package)
    service_level: str | None
    hourly_rate_pence: int
    max_hourly_rate_pence: int
    envelope_base_rate_pence: int
    awarded_weekly_hours: Decimal
    weekly_hours: Decimal
    actual_start: date | None
    last_care_date: date | None
    changes: tuple[tuple[date, Decimal], ...]


async def care_for_spend(commissioner_id: UUID) -> list[CareForSpend]:
    """The commissioner's awarded care, whatever its status, for spend reporting: two queries,
    whatever the number of records (the changes of hours read by the care's commissioner, not a
    list of ids)."""
    rows = await AwardedCare.select(
        AwardedCare.id,
        AwardedCare.status,
        AwardedCare.call_off._.lot._.code.as_alias("lot_code"),
        AwardedCare.area._.code.as_alias("area_code"),
        AwardedCare.provider._.name.as_alias("provider_name"),
        AwardedCare.package._.rurality.as_alias("rurality"),
        AwardedCare.package._.service_level.as_alias("service_level"),
        AwardedCare.hourly_rate_pence,
        AwardedCare.call_off._.max_hourly_rate_pence.as_alias("max_rate"),
        AwardedCare.call_off._.envelope_base_rate_pence.as_alias("envelope_rate"),
        AwardedCare.weekly_hours,
        AwardedCare.current_weekly_hours,
        AwardedCare.actual_start,
        AwardedCare.last_care_date,
    ).where(AwardedCare.commissioner == commissioner_id)
    changes: dict[UUID, list[tuple[date, Decimal]]] = {}
    variations = (
        await HoursVariation.select(
            HoursVariation.care, HoursVariation.effective_from, HoursVariation.weekly_hours
        )
        .where(
            (HoursVariation.care._.commissioner == commissioner_id)
            & HoursVariation.status.is_in(["applied", "approved"])
        )
        .order_by(HoursVariation.effective_from)
        .order_by(HoursVariation.recorded_at)
    )
    for v in variations:
        changes.setdefault(v["care"], []).append(
            (v["effective_from"], Decimal(v["weekly_hours"]).quantize(Decimal("0.01")))
        )
    return [
        CareForSpend(
            care_id=row["id"],
            status=row["status"],
            lot_code=row["lot_code"],
            area_code=row["area_code"],
            provider_name=row["provider_name"],
            rurality=row["rurality"],
            service_level=row["service_level"],
            hourly_rate_pence=row["hourly_rate_pence"],
            max_hourly_rate_pence=row["max_rate"],
            envelope_base_rate_pence=row["envelope_rate"],
            awarded_weekly_hours=Decimal(row["weekly_hours"]).quantize(Decimal("0.01")),
            weekly_hours=Decimal(
                row["weekly_hours"]
                if row["current_weekly_hours"] is None
                else row["current_weekly_hours"]
            ).quantize(Decimal("0.01")),
            actual_start=row["actual_start"],
            last_care_date=row["last_care_date"],
            changes=tuple(changes.get(row["id"], [])),
        )
        for row in rows
    ]
