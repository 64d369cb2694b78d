"""The framework share (docs/design.md 3.5): the weekly hours placed through the framework
(awarded care, at the award) over all the hours placed (those and the off-framework placements),
for the last twelve months, per month, lot or area, against the commissioner's target. Care sits
above tenders, so the share is composed here: care's awards and tenders' placements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from marketplace.care.queries import awarded_hours
from marketplace.principal import Principal
from marketplace.tenders.waiting_list import share_rules as rules
from marketplace.tenders.waiting_list.contingency import today, zone
from marketplace.tenders.waiting_list.placement_queries import placed_hours
from marketplace.tenders.waiting_list.share_target import commissioner_of, target_of

GroupBy = Literal["month", "lot", "area"]


class ShareFigures(msgspec.Struct):
    framework_hours: Decimal
    off_framework_hours: Decimal
    total_hours: Decimal
    # Framework hours ÷ all hours placed, as a percentage rounded half-up to two places; null
    # when no hours were placed.
    share_percent: Decimal | None
    meets_target: bool | None


class ShareGroup(ShareFigures):
    key: str  # YYYY-MM, a lot code or an area code


class FrameworkShare(msgspec.Struct):
    target_percent: int
    first_month: str
    last_month: str
    group_by: str
    overall: ShareGroup  # key "all"
    groups: list[ShareGroup]


def _group(key: str, tally: rules.Tally, target: int) -> ShareGroup:
    return ShareGroup(
        key=key,
        framework_hours=tally.framework_hours,
        off_framework_hours=tally.off_framework_hours,
        total_hours=tally.total_hours,
        share_percent=rules.percent(tally.share),
        meets_target=rules.meets(tally.share, target),
    )


async def _placed(commissioner_id: UUID, months: list[str]) -> list[rules.PlacedHours]:
    year, month = (int(part) for part in months[0].split("-"))
    since = datetime(year, month, 1, tzinfo=zone())
    awards = [
        rules.PlacedHours(
            a.lot_code,
            a.area_code,
            rules.month_of(a.awarded_at, zone()),
            a.weekly_hours,
            # Care awarded to a guest supplier was sourced off the framework (docs/design.md 3.5).
            a.through_framework,
        )
        for a in await awarded_hours(commissioner_id, since)
    ]
    placements = [
        rules.PlacedHours(
            p.lot_code, p.area_code, rules.month_of(p.placed_at, zone()), p.weekly_hours, False
        )
        for p in await placed_hours(commissioner_id, since)
    ]
    return awards + placements


async def share_of(
    commissioner_id: UUID, group_by: GroupBy = "month", on: date | None = None
) -> FrameworkShare:
    """The commissioner's framework share over the twelve months up to `on` (today)."""
    months = rules.last_months(on or today())
    items = [item for item in await _placed(commissioner_id, months) if item.month in months]
    target = await target_of(commissioner_id)
    groups = rules.grouped(items, group_by, keys=months if group_by == "month" else ())
    return FrameworkShare(
        target_percent=target,
        first_month=months[0],
        last_month=months[-1],
        group_by=group_by,
        overall=_group("all", rules.tally(items), target),
        groups=[_group(key, tally, target) for key, tally in groups.items()],
    )


async def framework_share(
    actor: Principal, group_by: GroupBy = "month", on: date | None = None
) -> FrameworkShare:
    return await share_of(commissioner_of(actor), group_by, on)
